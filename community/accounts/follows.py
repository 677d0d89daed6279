"""Follows: a person keeps an eye on an idea, a board or another person.

Notifications and the feed read follows as a set ("who follows X"), so
`followers_of` returns a select to embed in an INSERT ... SELECT rather than a
list: fanning out to 10,000 followers stays one statement.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    bindparam,
    delete,
    literal,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..forum.models import Board
from ..ideas import service as ideas
from ..kernel.compiled import rows_among
from ..kernel.database import conflict_insert, insert_ignore, transaction, utcnow
from ..kernel.errors import NotFound, ValidationError
from ..kernel.extensions import db
from .models import User

TARGET_TYPES = ("idea", "board", "user")


class Follow(db.Model):
    __tablename__ = "follows"
    __table_args__ = (
        CheckConstraint("target_type IN ('idea', 'board', 'user')", name="target_type"),
        # "Who follows X": fan-out reads this index alone, never the table.
        Index("ix_follows_target", "target_type", "target_id", "user_id"),
    )

    # The key's order serves "what does this person follow" (the feed, the buttons).
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    target_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    target_id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def _check_type(target_type):
    if target_type not in TARGET_TYPES:
        raise ValidationError(_("You can follow ideas, boards and people."), field="target_type")


def get_target(target_type, target_id, viewer):
    """The row a follow points at, if the viewer may see it (a hidden idea is not found)."""
    _check_type(target_type)
    if target_type == "idea":
        return ideas.get_idea(target_id, viewer)
    target = db.session.get(Board if target_type == "board" else User, target_id)
    if target is None:
        raise NotFound(_("Nothing to follow there."))
    return target


def follow(user, target_type, target_id):
    """Follow something; following twice changes nothing. Returns the target."""
    target = get_target(target_type, target_id, user)
    user_id = user.id  # read before the write transaction expires the session's objects
    if target_type == "user" and target_id == user_id:
        raise ValidationError(_("You cannot follow yourself."), field="target_id", code="self_follow")
    with transaction():
        follow_quietly(user_id, target_type, target_id)
    return target


def unfollow(user, target_type, target_id):
    """Stop following; unfollowing twice changes nothing. Returns the target."""
    target = get_target(target_type, target_id, user)
    user_id = user.id
    with transaction():
        db.session.execute(delete(Follow).where(
            Follow.user_id == user_id, Follow.target_type == target_type,
            Follow.target_id == target_id))
    return target


def follow_quietly(user_id, target_type, target_id):
    """For listeners, inside the cause's transaction: no checks beyond the key, no commit.

    Returns True when a new follow was written.
    """
    if target_type == "user" and target_id == user_id:
        return False
    return insert_ignore(Follow, user_id=user_id, target_type=target_type,
                         target_id=target_id, created_at=utcnow())


def is_following(user, target_type, target_id):
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(select(Follow.user_id).where(
        Follow.user_id == user.id, Follow.target_type == target_type,
        Follow.target_id == target_id)) is not None


# Built once and run on the connection: every signed-in page with follow buttons asks.
_FOLLOWING = select(Follow.target_id).where(
    Follow.user_id == bindparam("user_id"), Follow.target_type == bindparam("target_type"),
    Follow.target_id.in_(bindparam("ids", expanding=True)))


def following_ids(user, target_type, target_ids):
    """Which of these targets the user follows, in one query (for lists of buttons)."""
    if user is None or not user.is_authenticated or not target_ids:
        return set()
    return {row[0] for row in rows_among(_FOLLOWING, list(target_ids), user_id=user.id,
                                         target_type=target_type)}


def followers_of(target_type, target_id):
    """SELECT user_id of everyone following the target: embed it, don't list it."""
    return select(Follow.user_id.label("user_id")).where(
        Follow.target_type == target_type, Follow.target_id == target_id)


def followed(user_id, target_type):
    """SELECT target_id of what the user follows of one type (the feed's IN lists)."""
    return select(Follow.target_id).where(
        Follow.user_id == user_id, Follow.target_type == target_type)


def copy_followers(target_type, from_id, to_id):
    """Everyone following one target follows another too (a merge), in one INSERT ... SELECT."""
    rows = select(Follow.user_id, literal(target_type), literal(to_id), literal(utcnow())).where(
        Follow.target_type == target_type, Follow.target_id == from_id)
    # The WHERE also keeps SQLite's parser from reading ON CONFLICT as a join clause.
    db.session.execute(conflict_insert(Follow).from_select(
        ["user_id", "target_type", "target_id", "created_at"], rows).on_conflict_do_nothing())


def following_holes(user, args):
    """The "type:id" follow buttons of a page (community/web/pagecache/holes.py) that `user` follows."""
    by_type = {}
    for arg in args:
        target_type, _, target_id = arg.partition(":")
        by_type.setdefault(target_type, []).append(int(target_id))
    return {f"{target_type}:{target_id}" for target_type, ids in by_type.items()
            for target_id in following_ids(user, target_type, ids)}
