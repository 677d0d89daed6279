"""Signed links in account mail: confirm an address (48 hours), reset a password (1 hour).

Nothing is stored. Each token is signed with the secret key and names the state it is
good for, so it dies with that state: a confirmation names the address (once confirmed,
or replaced by another, the link has nothing left to do); a reset names a fingerprint
of the password hash, so the first reset (or any password change) ends it: one use.
"""

import hashlib
import hmac

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from ..kernel.errors import DomainError

VERIFY_SALT = "verify-email"
RESET_SALT = "reset-password"


class LinkProblem(DomainError):
    """A link from a mail that cannot be used. `reason`: invalid, expired, used, taken or
    banned; the page says which, and nothing changes."""

    status = 400
    code = "bad_link"

    def __init__(self, reason, message=None):
        super().__init__(message or MESSAGES[reason](), code=f"link_{reason}")
        self.reason = reason
        if reason == "banned":
            self.status = 403


MESSAGES = {
    "invalid": lambda: _("This link is broken or was changed. Copy the whole link from "
                         "the mail, or ask for a new one."),
    "expired": lambda: _("This link has expired. Ask for a new one."),
    "used": lambda: _("This link was already used, or the password changed since it was "
                      "sent. Ask for a new one if you still need it."),
    "taken": lambda: _("Another account has confirmed this address meanwhile."),
    "banned": lambda: _("This account is banned: its password cannot be reset."),
}


def _serializer(salt):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def fingerprint(password_hash):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, password_hash.encode(), hashlib.sha256).hexdigest()[:24]


def verify_token(user_id, address):
    return _serializer(VERIFY_SALT).dumps({"u": user_id, "e": address})


def reset_token(user):
    return _serializer(RESET_SALT).dumps(
        {"u": user.id, "p": fingerprint(user.password_hash), "e": user.email})


def _load(salt, token, max_age):
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkProblem("expired") from None
    except BadData:
        raise LinkProblem("invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) \
            or not isinstance(data.get("e"), str):
        raise LinkProblem("invalid")
    return data


def read_verify_token(token):
    """(user_id, address) of a genuine, unexpired confirmation link."""
    data = _load(VERIFY_SALT, token, current_app.config["VERIFY_EMAIL_MAX_AGE"])
    return data["u"], data["e"]


def read_reset_token(token):
    """{"u": user_id, "p": fingerprint, "e": address} of a genuine, unexpired reset link."""
    data = _load(RESET_SALT, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    if not isinstance(data.get("p"), str):
        raise LinkProblem("invalid")
    return data
