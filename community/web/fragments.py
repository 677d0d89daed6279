"""Small templates drawn inside a page (cards, messages, panels, the campaign widget).

Kept apart from templating.py, which registers the panels' template global: panels.py
draws with them too.
"""

from flask import current_app
from markupsafe import Markup


class Fragments:
    """Renders many small templates (cards, messages) for one response at the cost of one:
    the app's context processors (the signed-in user, the header's state, ...) run once
    here, not once per fragment as render_template would, so a page of 50 cards issues
    the queries of a page of 5."""

    def __init__(self):
        self.base = {}
        current_app.update_template_context(self.base)

    def __call__(self, name, **context):
        template = current_app.jinja_env.get_or_select_template(name)
        # bandit B704, reviewed: an autoescaped template's output.
        return Markup(template.render({**self.base, **context}))  # nosec B704


def render_fragment(template_name, **context):
    """One piece of the page, rendered by the view (the campaign widget)."""
    return Fragments()(template_name, **context)
