"""Wire spam at the door into an app: the screen every new post passes, the publishers of
held posts, the staff's pages, and the notices an author gets when staff decide."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..forum.screening import register_screen
from ..notifications import kinds
from . import models as _models  # noqa: F401  (tables for create_all and Alembic)
from . import publishers, views
from .screen import screen


def init_app(app):
    # Until a fan has this many published posts, their posts with links or images wait
    # for approval (0: never). The level gate (LINKS_MIN_LEVEL) still refuses links first.
    app.config.setdefault("SPAM_FIRST_POSTS_HELD", 2)
    # A fan's nearly-same posts allowed within the window; the next is refused (0: off).
    app.config.setdefault("SPAM_COPIES_ALLOWED", 2)
    app.config.setdefault("SPAM_COPY_WINDOW_MINUTES", 60)
    app.config.setdefault("SPAM_COPY_SIMILARITY", 0.8)
    register_screen(screen)
    publishers.register()
    views.init_app(app)
    kinds.register("post_approved", _l("Your posts that moderators approved"),
                   lambda e: _("A moderator approved your post “%(title)s”.", title=e.title),
                   lambda e: url_for("forum.thread", thread_id=e.thread_id), immediate=True)
    kinds.register("post_rejected", _l("Your posts that moderators did not approve"),
                   _rejected_text, lambda e: url_for("gatekeeping.mine"), immediate=True)


def _rejected_text(event):
    if event.detail:
        return _("A moderator did not approve your post “%(title)s”: %(note)s",
                 title=event.title, note=event.detail)
    return _("A moderator did not approve your post “%(title)s”.", title=event.title)
