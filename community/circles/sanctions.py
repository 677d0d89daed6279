"""A circle's moderators keep order inside it, in proportion: remove a member, mute one
for a time (reads, posts nothing in the circle until then), or ban one (removed, and
cannot join again by any road until the ban is lifted).

The rules of who may act are the removal's: moderators act on members, only the owner on
a moderator, nobody on the owner. Every action writes the moderation log
(forum.moderation.record, target the user, detail "in <circle>") in its own transaction,
so staff read circle moderation in /mod/log like their own. The user is named by id
only: the log shows their name as it is now, so a closed account's is not kept in it.
"""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..accounts.models import User
from ..forum.moderation import MAX_REASON, record
from ..kernel.database import insert_ignore, transaction, utcnow
from ..kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from ..kernel.extensions import db
from . import access
from .models import CircleBan, CircleMember
from .service import _remove

MUTE_LENGTHS = {"hour": timedelta(hours=1), "day": timedelta(days=1),
                "week": timedelta(weeks=1)}


def _reason(reason):
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationError(_("Keep the reason under %(n)d characters.", n=MAX_REASON),
                              field="reason")
    return reason


def _actor_over(circle_id, actor, user_id):
    """The actor's membership, checked to be allowed to act on user_id's; and the
    target's membership (None when they are not a member)."""
    mine = access.membership(circle_id, actor)
    access.ensure_moderator(mine)
    if user_id == mine.user_id:
        raise Forbidden(_("You cannot do that to yourself."), code="self")
    target = db.session.get(CircleMember, (circle_id, user_id), populate_existing=True)
    if target is not None and (target.role == "owner"
                               or (target.role == "moderator" and mine.role != "owner")):
        raise Forbidden(_("Only the owner can act on a moderator."), code="not_the_owner")
    return mine, target


def _log(actor, action, circle, user_id, reason, extra=""):
    record(actor, action, "user", user_id, reason, detail=f"in {circle.slug}{extra}")


def remove(circle, actor, user_id, reason=""):
    """Remove a member (they may join an open circle again: ban to keep them out)."""
    reason = _reason(reason)
    with transaction():
        _mine, target = _actor_over(circle.id, actor, user_id)
        if target is None or not _remove(circle.id, user_id):
            raise NotFound(_("Not a member of this circle."))
        _log(actor, "circle_remove", circle, user_id, reason)


def mute_end(length, now=None):
    if length not in MUTE_LENGTHS:
        raise ValidationError(_("Pick one hour, one day or one week."), field="length")
    return (now or utcnow()) + MUTE_LENGTHS[length]


def mute(circle, actor, user_id, until, reason=""):
    """Mute a member until `until` (a naive UTC datetime in the future)."""
    reason = _reason(reason)
    if not isinstance(until, datetime) or until <= utcnow():
        raise ValidationError(_("A mute must end in the future."), field="length")
    with transaction():
        _mine, target = _actor_over(circle.id, actor, user_id)
        if target is None:
            raise NotFound(_("Not a member of this circle."))
        target.muted_until = until
        _log(actor, "circle_mute", circle, user_id, reason,
             f" until {until.strftime('%Y-%m-%d %H:%M')} UTC")
    return until


def unmute(circle, actor, user_id, reason=""):
    reason = _reason(reason)
    with transaction():
        _mine, target = _actor_over(circle.id, actor, user_id)
        if target is None or not target.is_muted(utcnow()):
            raise Conflict(_("They are not muted."), code="not_muted")
        target.muted_until = None
        _log(actor, "circle_unmute", circle, user_id, reason)


def ban(circle, actor, user_id, reason=""):
    """Ban from the circle: out now (if a member), and kept out."""
    reason = _reason(reason)
    with transaction():
        _actor_over(circle.id, actor, user_id)
        if db.session.get(User, user_id) is None:
            raise NotFound(_("No such user."))
        if not insert_ignore(CircleBan, circle_id=circle.id, user_id=user_id,
                             actor_id=actor.id, reason=reason, created_at=utcnow()):
            raise Conflict(_("They are banned from this circle already."), code="banned_already")
        _remove(circle.id, user_id)
        _log(actor, "circle_ban", circle, user_id, reason)


def unban(circle, actor, user_id, reason=""):
    reason = _reason(reason)
    with transaction():
        access.ensure_moderator(access.membership(circle.id, actor))
        gone = db.session.execute(delete(CircleBan).where(
            CircleBan.circle_id == circle.id, CircleBan.user_id == user_id)).rowcount
        if not gone:
            raise NotFound(_("Not banned from this circle."))
        _log(actor, "circle_unban", circle, user_id, reason)


def banned(circle):
    """The circle's bans, newest first (for its moderators)."""
    return db.session.scalars(select(CircleBan).where(CircleBan.circle_id == circle.id)
                              .order_by(CircleBan.created_at.desc())).all()

