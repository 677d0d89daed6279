"""Invitation links: a random token with an expiry and a use limit, revocable by moderators.

Redeeming is one conditional UPDATE (uses + 1 where not revoked, not expired and under the
limit) whose returned row decides, so two fans racing for the last use cannot both win.
"""

import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from ..kernel.database import transaction, utcnow
from ..kernel.errors import Conflict, NotFound, ValidationError
from ..kernel.extensions import db
from . import access
from .models import Circle, Invite

MAX_HOURS = 24 * 30
MAX_USES = 1000


def _whole(value, field, low, high, message):
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(message, field=field)
    return value


def create_invite(circle, actor, expires_in_hours=72, max_uses=10):
    hours = _whole(expires_in_hours, "expires_in_hours", 1, MAX_HOURS,
                   _("An invitation lasts 1 to %(n)d hours.", n=MAX_HOURS))
    uses = _whole(max_uses, "max_uses", 1, MAX_USES,
                  _("An invitation admits 1 to %(n)d people.", n=MAX_USES))
    actor_id = actor.id
    with transaction():
        access.ensure_moderator(access.membership(circle.id, actor))
        invite = Invite(circle_id=circle.id, token=secrets.token_urlsafe(24),
                        created_by_id=actor_id, expires_at=utcnow() + timedelta(hours=hours),
                        max_uses=uses)
        db.session.add(invite)
    return invite


def revoke_invite(circle, actor, invite_id):
    with transaction():
        access.ensure_moderator(access.membership(circle.id, actor))
        invite = db.session.get(Invite, invite_id)
        if invite is None or invite.circle_id != circle.id:
            raise NotFound(_("No such invitation."))
        if invite.revoked_at is None:
            invite.revoked_at = utcnow()
    return invite


def invites_of(circle):
    return db.session.scalars(select(Invite).where(Invite.circle_id == circle.id)
                              .order_by(Invite.id.desc()).limit(100)).all()


def find(token):
    """The invite a link carries, or None (a mistyped or forged token)."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Invite).where(Invite.token == token))


def circle_for_token(token):
    """The circle an invitation link leads to; NotFound for a token that is no invitation."""
    invite = find(token)
    if invite is None:
        raise NotFound(_("This invitation link is not valid."))
    return db.session.get(Circle, invite.circle_id), invite


def why_unusable(invite, now=None):
    """None for a usable invite, else a Conflict saying why."""
    now = now or utcnow()
    if invite.revoked_at is not None:
        return Conflict(_("This invitation was revoked."), code="invite_revoked")
    if invite.expires_at <= now:
        return Conflict(_("This invitation has expired."), code="invite_expired")
    if invite.uses >= invite.max_uses:
        return Conflict(_("This invitation has been used as many times as it allows."),
                        code="invite_used_up")
    return None


def redeem(circle_id, token):
    """Spend one use of an invitation to this circle, inside the join's transaction."""
    now = utcnow()
    spent = db.session.execute(
        update(Invite).where(Invite.token == token, Invite.circle_id == circle_id,
                             Invite.revoked_at.is_(None), Invite.expires_at > now,
                             Invite.uses < Invite.max_uses)
        .values(uses=Invite.uses + 1).returning(Invite.id)).first()
    if spent is not None:
        return spent.id
    invite = find(token)
    if invite is None or invite.circle_id != circle_id:
        raise NotFound(_("This invitation link is not valid."))
    raise why_unusable(invite, now) or Conflict(_("This invitation cannot be used now."),
                                                code="invite_unusable")
