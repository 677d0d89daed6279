"""Wire conversations into an app: tables, pages, API, the envelope, card places and
sources, and the profile's Message and Block buttons."""

from flask import render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from .. import cards
from ..web import panels
from . import api, blocks, service, share_views, views
from . import models as _models  # noqa: F401  (tables for create_all and Alembic)
from .sending import send, sharer_for


def init_app(app):
    # How often an open conversation asks for new messages (seconds).
    app.config.setdefault("MESSAGES_POLL_SECONDS", 3)
    for blueprint in (views.bp, share_views.bp, api.bp):
        app.register_blueprint(blueprint)
    app.add_template_global(share_button)
    cards.register_place("conversation", _l("One of your conversations"), share_choices,
                         share_into)
    cards.register_source("conversation", sharer_for)
    panels.register(app, "profile", profile_panel)


def share_button(kind, target_id):
    """Template global: a Share button for an idea, a product or a campaign page."""
    if not current_user.is_authenticated:
        return Markup("")
    # bandit B704, reviewed: an autoescaped template's output.
    return Markup(render_template("community/messages/_share_button.html", kind=kind,  # nosec B704
                                  target_id=target_id))


def share_choices(viewer, limit=20):
    page = service.conversations_of(viewer, 1, limit)
    names = service.names_in([p.conversation_id for p in page.items], viewer.id)
    return [(row.conversation_id,
             row.conversation.title or ", ".join(names.get(row.conversation_id, [])))
            for row in page.items]


def share_into(conversation_id, viewer, kind, target_id, comment):
    message = send(conversation_id, viewer, comment, (kind, target_id))
    return url_for("messages.show", conversation_id=conversation_id, _anchor=f"m{message.id}")


def profile_panel(user, viewer):
    if viewer is None or not viewer.is_authenticated or viewer.id == user.id:
        return None
    return ("community/messages/_profile_actions.html",
            {"profile_user": user, "blocked": blocks.has_blocked(viewer.id, user.id)})
