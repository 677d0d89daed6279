"""Confirming addresses: at sign-up, on request again, and before a new address counts.

Until an account's address is confirmed it may read and vote but not post, message or
pre-order (FANFORGE_REQUIRE_VERIFIED_EMAIL; `service.ensure_verified` is the check).
A new address waits in `pending_email` and replaces the old one only when its link is
opened, so a typo never locks anyone out.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from .. import mail
from ..kernel.database import transaction, utcnow
from ..kernel.errors import Conflict, ValidationError
from ..kernel.extensions import db
from .links import LinkProblem, read_verify_token
from .models import User
from .service import normalize_email


def confirm(token):
    """Open a confirmation link: returns (user, what) with what in confirmed, changed
    (a new address took effect) or already (nothing to do: the link was used)."""
    user_id, address = read_verify_token(token)
    try:
        with transaction():
            user = db.session.get(User, user_id)
            if user is None:
                raise LinkProblem("invalid")
            if user.pending_email == address:
                if db.session.scalar(select(User.id).where(User.email == address)):
                    raise LinkProblem("taken")
                user.email, user.email_verified_at = address, utcnow()
                user.pending_email = user.pending_email_at = None
                db.session.flush()
                return user, "changed"
            if user.email != address:
                raise LinkProblem("used")
            if user.email_verified_at is not None:
                return user, "already"
            user.email_verified_at = utcnow()
            return user, "confirmed"
    except IntegrityError:
        raise LinkProblem("taken") from None


def resend(user):
    """Send the confirmation link again (to the address waiting, if any); returns it."""
    user_id = user.id
    with transaction():
        user = db.session.get(User, user_id)
        if user.pending_email:
            mail.queue("verify_email", user_id=user_id, to=user.pending_email)
            return user.pending_email
        if user.email_verified_at is not None:
            raise Conflict(_("Your address is already confirmed."), code="already_verified")
        mail.queue("verify_email", user_id=user_id)
        return user.email


def request_change(user, new_email, password):
    """Ask to use another address: it takes effect once its link is opened."""
    if not check_password_hash(user.password_hash, password or ""):
        raise ValidationError(_("The password is not right."), field="password")
    address = normalize_email(new_email or "")
    user_id = user.id
    with transaction():
        user = db.session.get(User, user_id)
        if address == user.email:
            raise ValidationError(_("That is already your address."), field="email")
        if db.session.scalar(select(User.id).where(User.email == address)):
            raise ValidationError(_("An account with that email already exists."), field="email")
        user.pending_email, user.pending_email_at = address, utcnow()
        mail.queue("verify_email", user_id=user_id, to=address)
    return address


def expire_pending():
    """Forget new addresses whose links have expired; returns how many."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["VERIFY_EMAIL_MAX_AGE"])
    with transaction():
        return db.session.execute(
            update(User).where(User.pending_email.is_not(None), User.pending_email_at < cutoff)
            .values(pending_email=None, pending_email_at=None)
            .execution_options(synchronize_session=False)).rowcount
