"""Staff sanctions on a member, in proportion: a warning (a private message, recorded),
a timed suspension (reads, cannot write), a ban (cannot sign in).

Each use case writes the member's record (Sanction), the account's current state and
the moderation log (forum.moderation.record) in one transaction. A suspension ends by
the clock alone (User.is_suspended compares its end with now), so nothing has to run
for it to lift; tasks.py only tidies the columns of ended ones.
"""

from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from ..accounts.models import User
from ..forum.moderation import ensure_staff, record
from ..kernel import signals
from ..kernel.database import transaction, utcnow
from ..kernel.errors import Conflict, Forbidden, ValidationError
from ..kernel.extensions import db
from ..messages import sending
from ..messages import service as conversations
from .models import Sanction

MAX_REASON = 500
LENGTHS = {"day": timedelta(days=1), "week": timedelta(weeks=1)}
LONGEST = timedelta(days=3650)
UNTIL_FORMAT = "%Y-%m-%d %H:%M UTC"


def _reason(reason, message):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(message, field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(_("Keep the reason under %(n)d characters.", n=MAX_REASON),
                              field="reason")
    return reason


def _ensure_may_sanction(user, actor):
    ensure_staff(actor)
    if user.id == actor.id:
        raise Forbidden(_("You cannot sanction yourself."), code="self")
    if user.is_staff and not actor.is_admin:
        raise Forbidden(_("Only an admin can sanction staff."), code="staff_target")


def suspension_end(length=None, until=None, now=None):
    """When a suspension of `length` ("day", "week") or to `until` (a naive UTC datetime)
    given at `now` ends; ValidationError unless it is in the future and under ten years."""
    now = now or utcnow()
    if length in LENGTHS:
        return now + LENGTHS[length]
    if length not in (None, "custom"):
        raise ValidationError(_("Pick one day, one week or a date."), field="length")
    if not isinstance(until, datetime):
        raise ValidationError(_("Say until when."), field="until")
    if until <= now:
        raise ValidationError(_("The end of a suspension must be in the future."), field="until")
    if until - now > LONGEST:
        raise ValidationError(_("A suspension lasts ten years at most; ban instead."),
                              field="until")
    return until


def warn(user, actor, reason):
    """A private message from staff to the member, and a line in their record. A member
    who blocks the sender still has the warning on record (without a conversation)."""
    _ensure_may_sanction(user, actor)
    reason = _reason(reason, _("Write the warning."))
    with force_locale(user.locale or "en"):
        body = _("A warning from the moderators: %(reason)s", reason=reason)
    conversation_id = None
    try:
        conversation, _created = conversations.start(actor, [user.username])
        sending.send(conversation.id, actor, body)
        conversation_id = conversation.id
    except Forbidden as error:
        if error.code != "blocked":
            raise
    with transaction():
        db.session.add(Sanction(user_id=user.id, kind="warning", actor_id=actor.id,
                                reason=reason, conversation_id=conversation_id))
        record(actor, "warn", "user", user.id, reason)
    return conversation_id


def suspend(user, actor, reason, length=None, until=None):
    """Suspend until a moment (replacing a suspension running now). Returns the end."""
    _ensure_may_sanction(user, actor)
    reason = _reason(reason, _("Say why the account is suspended."))
    now = utcnow()
    ends = suspension_end(length, until, now)
    with transaction():
        changed = db.session.execute(
            update(User).where(User.id == user.id, User.banned_at.is_(None))
            .values(suspended_until=ends, suspension_reason=reason)).rowcount
        if not changed:
            raise Conflict(_("The account is banned already."), code="banned")
        _end_running(user.id, actor.id, now)
        db.session.add(Sanction(user_id=user.id, kind="suspension", actor_id=actor.id,
                                reason=reason, ends_at=ends, created_at=now))
        record(actor, "suspend", "user", user.id, reason,
               detail=f"until {ends.strftime(UNTIL_FORMAT)}")
    db.session.refresh(user)
    return ends


def _end_running(user_id, actor_id, now, kind="suspension"):
    clause = [Sanction.ends_at > now] if kind == "suspension" else []
    db.session.execute(update(Sanction).where(
        Sanction.user_id == user_id, Sanction.kind == kind, Sanction.lifted_at.is_(None),
        *clause).values(lifted_at=now, lifted_by_id=actor_id))


def lift(user, actor, reason=""):
    """End a running suspension now (of staff: an admin's, as putting it on was)."""
    _ensure_may_sanction(user, actor)
    now = utcnow()
    with transaction():
        lifted = db.session.execute(
            update(User).where(User.id == user.id, User.suspended_until > now)
            .values(suspended_until=None, suspension_reason=None)).rowcount
        if not lifted:
            raise Conflict(_("The account is not suspended."), code="not_suspended")
        _end_running(user.id, actor.id, now)
        record(actor, "lift", "user", user.id, (reason or "").strip()[:MAX_REASON])
    db.session.refresh(user)
    return user


def ban_user(user, actor, reason):
    """Ban: the user can no longer sign in, post or vote, and their sessions end at once."""
    _ensure_may_sanction(user, actor)
    reason = _reason(reason, _("Say why the account is banned."))
    with transaction():
        banned = db.session.execute(
            update(User).where(User.id == user.id, User.banned_at.is_(None))
            .values(banned_at=utcnow(), ban_reason=reason, auth_version=User.auth_version + 1)
        ).rowcount
        if banned:
            db.session.add(Sanction(user_id=user.id, kind="ban", actor_id=actor.id,
                                    reason=reason))
            record(actor, "ban", "user", user.id, reason)
            signals.user_banned.send(actor, user_id=user.id)
    db.session.refresh(user)
    return user


def unban_user(user, actor, reason=""):
    _ensure_may_sanction(user, actor)  # of staff: an admin's, as the ban was
    now = utcnow()
    with transaction():
        undone = db.session.execute(update(User).where(User.id == user.id,
                                                       User.banned_at.is_not(None))
                                    .values(banned_at=None, ban_reason=None)).rowcount
        if undone:
            _end_running(user.id, actor.id, now, kind="ban")
            record(actor, "unban", "user", user.id, (reason or "").strip()[:MAX_REASON])
    db.session.refresh(user)
    return user


def record_of(user, limit=100):
    """The member's sanctions, newest first."""
    return db.session.scalars(select(Sanction).where(Sanction.user_id == user.id)
                              .order_by(Sanction.id.desc()).limit(limit)).all()


def standing(user):
    """What the member may do now, for the API and the notice."""
    suspended = user.is_suspended
    return {
        "suspended": suspended,
        "until": user.suspended_until.isoformat() + "Z" if suspended else None,
        "reason": user.suspension_reason if suspended else None,
        "banned": user.is_banned,
    }


def tidy_ended():
    """Clear the account columns of suspensions that have ended (the clock already
    ended them; this only keeps the columns honest). Safe to run twice."""
    with transaction():
        return db.session.execute(
            update(User).where(User.suspended_until <= utcnow())
            .values(suspended_until=None, suspension_reason=None)).rowcount
