"""Wire circles into an app: tables, pages, API, the forum's thread hooks, notices, card
places and sources, and the circles shown on a profile."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import cards
from ..forum import service as forum
from ..kernel.extensions import db
from ..web import panels
from . import access, api, event_api, event_views, listeners, notices, thread_views, threads, views
from . import models as _models  # noqa: F401  (tables for create_all and Alembic)
from . import tasks as _tasks  # noqa: F401  (registers the meetup reminders)
from .models import Circle, CircleMember


def init_app(app):
    # Starting a circle needs this level (FANFORGE_CIRCLE_MIN_LEVEL); staff need none.
    app.config.setdefault("CIRCLE_MIN_LEVEL", 2)
    for blueprint in (views.bp, thread_views.bp, event_views.bp, api.bp, event_api.bp):
        app.register_blueprint(blueprint)
    views.init_app(app)
    # Circle threads are the forum's threads; the circle decides who reads and replies.
    forum.register_thread_access(threads.THREAD_KIND, access.can_read_thread, access.guard_reply)
    forum.register_owner_url(threads.THREAD_KIND, threads.thread_url)
    listeners.connect()
    notices.register()
    cards.register_place("circle_thread", _l("A thread of one of your circles"),
                         threads.share_choices, threads.share_into)
    cards.register_source("circle", threads.sharer_for)
    panels.register(app, "profile", profile_panel)


def profile_panel(user, viewer):
    """The profile's circles: listed ones, and private ones only when the viewer is in them."""
    rows = db.session.scalars(
        select(Circle).join(CircleMember, CircleMember.circle_id == Circle.id)
        .where(CircleMember.user_id == user.id, access.visible_clause(viewer))
        .order_by(Circle.member_count.desc()).limit(20)).all()
    return ("community/circles/_profile.html", {"circles": rows}) if rows else None
