"""The reply box's fields (templates/community/forum/_reply_fields.html): the composer, the
image picker and the button, some 40 form attributes, links and labels drawn through
WTForms at the foot of every thread and idea page a member reads.

A fresh box (nothing typed, no errors) follows from the language, the script root and the
thread's id alone, so each worker draws it once per language with a slot for the id and
fills the slot per page. The form's hidden fields (its CSRF and submit tokens) are drawn
per page outside it (_reply_form.html)."""

from flask import current_app, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

TEMPLATE = "community/forum/_reply_fields.html"
EXTENSION = "fanforge_reply_fields"
# An id no thread has; its digits stay as they are in the box's links and attributes.
_SLOT = 918273645546372817


class _SlotThread:
    """The thread a kept box is drawn for: the slot as its id (all the fields show of it)."""

    id = _SLOT


def reply_fields(thread, form):
    """Template global: the reply box's fields for `thread`, as `form` shows them."""
    if form.is_submitted() or form.errors:  # what they typed, or what was wrong with it
        return _drawn(thread, form)
    kept = current_app.extensions[EXTENSION]  # per language and script root: a handful
    key = (str(get_locale()), request.script_root)
    html = kept.get(key)
    if html is None:  # a fresh form draws the same whoever holds it
        html = kept[key] = str(_drawn(_SlotThread, form))
    # bandit B704, reviewed: the kept HTML is a template's output, the id an int.
    return Markup(html.replace(str(_SLOT), str(int(thread.id))))  # nosec B704


def _drawn(thread, form):
    # bandit B704, reviewed: an autoescaped template's output.
    return Markup(render_template(TEMPLATE, thread=thread, form=form))  # nosec B704


def init_app(app):
    app.add_template_global(reply_fields)
    app.extensions[EXTENSION] = {}  # per app: tests make many
