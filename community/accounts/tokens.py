"""Personal API tokens: shown once, stored as a hash, revocable.

A token is "ff_" and 32 random bytes, so a fast unsalted SHA-256 is the right
hash: nobody can guess a token, and a leaked table cannot be turned back into
tokens. Only its first characters (`prefix`) stay readable, so people can tell
their tokens apart.

Tokens do not follow `auth_version` (signing out elsewhere keeps scripts working), but
every password change revokes them all (passwords.replace_password). A ban stops them
at once, because every lookup checks the account; unbanning restores them.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from ..kernel.database import transaction, utcnow
from ..kernel.dependencies import private_table
from ..kernel.errors import Conflict, DomainError, Forbidden, NotFound, ValidationError
from ..kernel.extensions import db
from . import service as accounts
from .models import READER_COLUMNS, Reader, User

TOKEN_PREFIX = "ff_"
SHOWN_CHARS = len(TOKEN_PREFIX) + 8
MAX_NAME = 64
# Generous for scripts, but a cap keeps a stolen password from minting millions.
MAX_ACTIVE = 50
# last_used_at is a hint for people, not an audit log: one write an hour is plenty.
TOUCH_EVERY = timedelta(hours=1)
# Revoked tokens never work again and are never listed; kept a while for support questions.
REVOKED_KEPT = timedelta(days=30)


class Unauthorized(DomainError):
    """No credentials, or ones that do not work (HTTP 401)."""

    status = 401
    code = "unauthorized"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = private_table()

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    def __repr__(self):
        return f"<ApiToken {self.prefix}… of user {self.user_id}>"


class TokenInUse(NamedTuple):
    """The token a request came with: what the request needs of its api_tokens row."""

    id: int
    last_used_at: datetime | None


def hash_token(plaintext):
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _check_name(name):
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the token a name."), field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(
            _("Keep the token name to %(n)d characters or fewer.", n=MAX_NAME), field="name")
    return name


def create_token(user, name):
    """A new token for `user`: (row, plaintext). The plaintext exists only here."""
    name = _check_name(name)
    user_id = user.id
    if user.is_banned:
        raise Forbidden(_("This account is banned."), code="banned")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction():
        active = db.session.scalar(select(func.count(ApiToken.id)).where(
            ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)))
        if active >= MAX_ACTIVE:
            raise Conflict(_("You have %(n)d active tokens. Revoke one first.", n=MAX_ACTIVE),
                           code="too_many_tokens")
        token = ApiToken(user_id=user_id, name=name, token_hash=hash_token(plaintext),
                         prefix=plaintext[:SHOWN_CHARS])
        db.session.add(token)
    return token, plaintext


def create_token_with_password(login, password, name):
    """POST /api/v1/tokens: sign in with a password and get a token back."""
    name = _check_name(name)
    user = accounts.authenticate(login, password)
    if user is None:
        raise Unauthorized(_("Wrong username, email or password."), code="invalid_credentials")
    if user.is_banned:
        raise Forbidden(_("This account is banned."), code="banned")
    token, plaintext = create_token(user, name)
    return user, token, plaintext


def list_tokens(user):
    """The user's working tokens, newest first."""
    return db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())
    ).all()


def revoke_token(user, token_id):
    """Revoke one of the user's own tokens; it stops working with the next request.

    Someone else's token is "not found", so ids reveal nothing. Revoking twice is fine.
    """
    user_id = user.id
    with transaction():
        token = db.session.scalar(
            select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))
        if token is None:
            raise NotFound(_("No such token."))
        if token.revoked_at is None:
            token.revoked_at = utcnow()
    return token


# Built once, run with the hash as a parameter: the lookup comes before every API
# request, and building the statement (and its cache key) cost more than running it.
# Of the token only what a request uses (its id, last_used_at): loading the whole row
# as an ApiToken object cost more than the query.
_LIVE = (ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
_LOOKUP = (select(User, ApiToken.id, ApiToken.last_used_at)
           .join(ApiToken, ApiToken.user_id == User.id).where(*_LIVE))
# The same for a request that needs only the account's facts: a Reader from a Core row.
_LOOKUP_READER = (select(*READER_COLUMNS, ApiToken.id, ApiToken.last_used_at)
                  .join(ApiToken, ApiToken.user_id == User.id).where(*_LIVE))


def _lookup(plaintext, light):
    if not isinstance(plaintext, str) or not plaintext.startswith(TOKEN_PREFIX) \
            or len(plaintext) > 200:
        return None
    params = {"token_hash": hash_token(plaintext)}
    if light:
        row = db.session.connection().execute(_LOOKUP_READER, params).first()
        return None if row is None else (Reader(row), *row[-2:])
    return db.session.execute(_LOOKUP, params).first()


def authenticate_token(plaintext, light=False):
    """(user, token) for a working token; the token is a row with its `id` and
    `last_used_at` only. With light=True the user is a Reader (the account's facts,
    the rest loaded when asked), for requests whose use cases need no more.

    Raises Unauthorized (code invalid_token) for an unknown or revoked token and
    Forbidden (code banned) when its account is banned.
    """
    row = _lookup(plaintext, light)
    if row is None:
        raise Unauthorized(_("This token does not work: it is wrong or has been revoked."),
                           code="invalid_token")
    user, token = row[0], TokenInUse(row[1], row[2])
    if user.is_banned:
        raise Forbidden(_("This account is banned."), code="banned")
    _touch(token)
    return user, token


def user_for_token(plaintext):
    """The user a token acts for, or None (unknown, revoked, or a banned account)."""
    try:
        return authenticate_token(plaintext)[0]
    except DomainError:
        return None


def _touch(token):
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    token_id = token.id
    with transaction():
        # Conditional, so workers racing on the same token write once.
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id,
                   or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - TOUCH_EVERY))
            .values(last_used_at=now)
        )


def purge_revoked():
    """Delete tokens revoked more than REVOKED_KEPT ago; returns how many."""
    with transaction():
        return db.session.execute(
            delete(ApiToken).where(ApiToken.revoked_at < utcnow() - REVOKED_KEPT)
            .execution_options(synchronize_session=False)).rowcount
