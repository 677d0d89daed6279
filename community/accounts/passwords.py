"""Changing a password, by the settings form or a reset link: one use case for both.

A new password ends every session of the account (auth_version: each session and
remember-me cookie carries it) and revokes every API token, because whoever changes a
password may be shutting someone out who knew the old one.
"""

from flask_babel import gettext as _
from sqlalchemy import update
from werkzeug.security import check_password_hash

from ..kernel.database import transaction, utcnow
from ..kernel.errors import ValidationError
from ..kernel.extensions import db
from .models import User
from .service import check_password, hash_password
from .tokens import ApiToken


def replace_password(user_id, old_hash, new_hash, **values):
    """Inside the caller's transaction: the new hash, every session ended, every API token
    revoked. Conditional on the old hash, so two submits change it once; returns whether
    this one did."""
    changed = db.session.execute(
        update(User).where(User.id == user_id, User.password_hash == old_hash)
        .values(password_hash=new_hash, auth_version=User.auth_version + 1, **values)
        .execution_options(synchronize_session=False)).rowcount
    if changed == 1:
        db.session.execute(update(ApiToken).where(
            ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
    return changed == 1


def change_password(user, current_password, new_password):
    """The settings form: the current password, then a new one that is not weak."""
    if not check_password_hash(user.password_hash, current_password or ""):
        raise ValidationError(_("The current password is not right."), field="current_password")
    check_password(new_password, field="new_password", user_inputs=(user.username, user.email))
    new_hash = hash_password(new_password)
    with transaction():
        if not replace_password(user.id, user.password_hash, new_hash):
            raise ValidationError(_("The password changed meanwhile; sign in again."),
                                  field="current_password")
    db.session.refresh(user)
    return user


def end_sessions(user_id):
    """Sign out: every session and remember-me cookie of the account stops working."""
    with transaction():
        db.session.execute(update(User).where(User.id == user_id)
                           .values(auth_version=User.auth_version + 1)
                           .execution_options(synchronize_session=False))
