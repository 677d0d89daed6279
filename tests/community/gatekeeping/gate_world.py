"""Factories for the spam-at-the-door tests (they need an app context)."""

from sqlalchemy import func, select, update

from community.accounts.models import User
from community.forum.models import Post
from community.gatekeeping import service
from community.gatekeeping.models import HeldPost
from community.kernel.database import transaction
from community.kernel.extensions import db
from community.notifications.models import Notification
from community.search import backends
from community.search.models import SearchDocument, SearchOutbox

SCREENS_ON = {"SPAM_FIRST_POSTS_HELD": 2, "SPAM_COPIES_ALLOWED": 2}


def screens_on(app):
    app.config.update(SCREENS_ON)


def watch(staff, pattern, action, replacement="", is_regex=False):
    return service.add_word(staff, pattern, is_regex, action, replacement)


def level_up(user, points=100):
    with transaction():
        db.session.execute(update(User).where(User.id == user.id).values(points=points))
    return db.session.get(User, user.id, populate_existing=True)


def notices(user_id, kind=None):
    stmt = select(Notification).where(Notification.user_id == user_id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalars(stmt).all()


def held_rows(state=None):
    stmt = select(HeldPost).order_by(HeldPost.id)
    if state:
        stmt = stmt.where(HeldPost.state == state)
    return db.session.scalars(stmt).all()


def posts_saying(text):
    return db.session.scalar(select(func.count()).select_from(Post).where(Post.body.contains(text)))


def outbox_rows():
    """What waits to be searchable: outbox rows (whoosh) or documents (PostgreSQL's
    full-text search, written in the post's own transaction)."""
    table = SearchDocument if backends.postgresql() else SearchOutbox
    return db.session.scalar(select(func.count()).select_from(table))
