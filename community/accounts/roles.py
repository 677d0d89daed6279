"""Changing an account's role (`flask users set-role`).

A role change starts the account afresh: every session ends (auth_version) and every
API token is revoked. Someone made staff therefore signs in again, and where staff must
use two-factor sign-in (TWO_FACTOR_ENFORCE) that sign-in sets it up before any staff page
opens (accounts/signin.py); a token made as a fan never gains staff powers, and one made
as staff stops working when the role goes.
"""

from flask_babel import gettext as _
from sqlalchemy import update

from ..audit.service import record_audit
from ..kernel.database import transaction, utcnow
from ..kernel.errors import ValidationError
from ..kernel.extensions import db
from .models import ROLES, User
from .service import get_by_username
from .tokens import ApiToken


def set_role(username, role, actor=None):
    """Give the account a role; the staff audit log says who (None: the command line)."""
    if role not in ROLES:
        raise ValidationError(_("Unknown role %(role)s; use one of %(roles)s.", role=role,
                                roles=", ".join(ROLES)), field="role")
    with transaction():
        user = get_by_username(username)
        if user.role != role:
            record_audit(actor, "role", f"user:{user.id}", f"{user.role} -> {role}")
            db.session.execute(
                update(User).where(User.id == user.id)
                .values(role=role, auth_version=User.auth_version + 1)
                .execution_options(synchronize_session=False))
            db.session.execute(
                update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
    db.session.refresh(user)
    return user
