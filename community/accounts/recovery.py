"""Password reset by mail, without telling anyone which addresses have accounts.

Asking writes the same outbox row whatever the address: the worker looks the account
up at send time and sends nothing for an unknown or banned one. So the page, its
status and its timing are the same either way (the form is also rate-limited per
address and per client). The link works once and for an hour (links.py); using it
ends every other session (auth_version) and revokes the account's API tokens.
"""

from .. import mail
from ..kernel.database import transaction, utcnow
from ..kernel.extensions import db
from .links import LinkProblem, fingerprint, read_reset_token
from .models import User
from .passwords import replace_password
from .service import check_password, hash_password, normalize_email


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
    user, _data = user_for_link(token)  # a bad link says so before the costly hash
    check_password(new_password, field="new_password", user_inputs=(user.username, user.email))
    new_hash = hash_password(new_password)
    with transaction():
        user, data = user_for_link(token)
        values = {}
        if data["e"] == user.email and user.email_verified_at is None:
            values["email_verified_at"] = utcnow()  # the link proved the mailbox
        if not replace_password(user.id, user.password_hash, new_hash, **values):
            raise LinkProblem("used")
    db.session.refresh(user)
    return user
