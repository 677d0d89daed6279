"""Password reset by mail, without telling anyone which addresses have accounts.

Asking writes the same outbox row whatever the address: the worker looks the account
up at send time and sends nothing for an unknown or banned one. So the page, its
status and its timing are the same either way (the form is also rate-limited per
address and per client). The link works once and for an hour (links.py); using it
ends every other session (auth_version) and revokes the account's API tokens.
"""

from sqlalchemy import update

from .. import mail
from ..database import transaction, utcnow
from ..extensions import db
from .links import LinkProblem, fingerprint, read_reset_token
from .models import User
from .service import check_password, hash_password, normalize_email
from .tokens import ApiToken


def request_reset(address):
    """Queue a reset mail for the address; returns the address as normalised."""
    address = normalize_email(address or "")
    with transaction():
        mail.queue("reset_password", to=address)
    return address


def user_for_link(token):
    """The account a reset link may reset, or LinkProblem (invalid, expired, used, banned)."""
    data = read_reset_token(token)
    user = db.session.get(User, data["u"])
    if user is None:
        raise LinkProblem("invalid")
    if user.is_banned:
        raise LinkProblem("banned")
    if data["p"] != fingerprint(user.password_hash):
        raise LinkProblem("used")
    if data["e"] != user.email:  # sent to an address the account no longer has
        raise LinkProblem("used")
    return user, data


def reset_password(token, new_password):
    """Set a new password through a reset link; returns the user."""
    check_password(new_password, field="new_password")
    user_for_link(token)  # a bad link says so before the costly hash
    new_hash = hash_password(new_password)
    with transaction():
        user, data = user_for_link(token)
        values = {"password_hash": new_hash, "auth_version": User.auth_version + 1}
        if data["e"] == user.email and user.email_verified_at is None:
            values["email_verified_at"] = utcnow()  # the link proved the mailbox
        # Conditional on the old hash: two submits of one link change it once.
        changed = db.session.execute(
            update(User).where(User.id == user.id, User.password_hash == user.password_hash)
            .values(**values).execution_options(synchronize_session=False)).rowcount
        if changed != 1:
            raise LinkProblem("used")
        db.session.execute(update(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow()))
    db.session.refresh(user)
    return user
