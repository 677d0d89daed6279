"""Blocking: a blocked fan cannot message the blocker nor add them to a group."""

from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..kernel.database import insert_ignore, transaction, utcnow
from ..kernel.errors import Forbidden, ValidationError
from ..kernel.extensions import db
from .models import Block


def block(user, other):
    if other.id == user.id:
        raise ValidationError(_("You cannot block yourself."), field="username", code="self_block")
    user_id, other_id = user.id, other.id
    with transaction():
        insert_ignore(Block, blocker_id=user_id, blocked_id=other_id, created_at=utcnow())
    return True


def unblock(user, other):
    user_id, other_id = user.id, other.id
    with transaction():
        db.session.execute(delete(Block).where(Block.blocker_id == user_id,
                                               Block.blocked_id == other_id))
    return False


def has_blocked(blocker_id, blocked_id):
    return db.session.get(Block, (blocker_id, blocked_id)) is not None


def ensure_not_blocked(recipient_id, sender_id):
    if has_blocked(recipient_id, sender_id):
        raise Forbidden(_("You cannot message this person."), code="blocked")


def ensure_none_blocked(recipient_ids, sender_id):
    """One query for a whole list (starting a group, adding people)."""
    if db.session.scalar(select(Block.blocker_id).where(
            Block.blocker_id.in_(recipient_ids), Block.blocked_id == sender_id).limit(1)):
        raise Forbidden(_("Someone you named does not accept messages from you."), code="blocked")
