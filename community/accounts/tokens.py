"""Personal API tokens: shown once, stored as a hash, revocable.

A token is "ff_" and 32 random bytes, so a fast unsalted SHA-256 is the right
hash: nobody can guess a token, and a leaked table cannot be turned back into
tokens. Only its first characters (`prefix`) stay readable, so people can tell
their tokens apart.

Tokens do not follow `auth_version` (signing out elsewhere keeps scripts working), but
every password change revokes them all (passwords.replace_password), and so does a role
change (roles.set_role). A ban stops them at once, because every lookup checks the
account; unbanning restores them.

Each token has scopes, chosen when it is made, and the API checks them on every route
(community/api/core.py): `read` (GET as you), `write` (change things as you), and for
staff `staff:moderate` (the community's staff routes) and `staff:store` (the store's).
Staff scopes need a staff account, with two-factor sign-in on where it is required.
Tokens made before scopes existed have `read write`: a staff script mints a new one.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from ..kernel.compiled import rows_of
from ..kernel.database import transaction, utcnow
from ..kernel.dependencies import private_table
from ..kernel.errors import Conflict, DomainError, Forbidden, NotFound, ValidationError
from ..kernel.extensions import db
from . import service as accounts
from . import twofactor
from .models import READER_COLUMNS, Reader, User, moment

TOKEN_PREFIX = "ff_"
SHOWN_CHARS = len(TOKEN_PREFIX) + 8
MAX_NAME = 64
# Generous for scripts, but a cap keeps a stolen password from minting millions.
MAX_ACTIVE = 50
# last_used_at is a hint for people, not an audit log: one write an hour is plenty.
TOUCH_EVERY = timedelta(hours=1)
# Revoked tokens never work again and are never listed; kept a while for support questions.
REVOKED_KEPT = timedelta(days=30)

# What a token may do, in the order forms list them.
SCOPES = {
    "read": _l("Read what you can see, as you"),
    "write": _l("Post, vote, order and change your things, as you"),
    "staff:moderate": _l("Staff: moderate the community (idea statuses, pinned answers, "
                         "moderation queues)"),
    "staff:store": _l("Staff: run the store (products, campaigns, fulfilment, refunds, "
                      "trials)"),
}
MEMBER_SCOPES = ("read", "write")
STAFF_SCOPES = tuple(scope for scope in SCOPES if scope.startswith("staff:"))
DEFAULT_SCOPES = MEMBER_SCOPES


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
    # Space-separated, as OAuth writes them: "read write staff:store".
    scopes: Mapped[str] = mapped_column(String(200), default=" ".join(DEFAULT_SCOPES),
                                        server_default=" ".join(DEFAULT_SCOPES))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def scope_list(self):
        return self.scopes.split()

    def __repr__(self):
        return f"<ApiToken {self.prefix}… of user {self.user_id}>"


class TokenInUse(NamedTuple):
    """The token a request came with: what the request needs of its api_tokens row."""

    id: int
    last_used_at: datetime | None
    scopes: frozenset = frozenset(DEFAULT_SCOPES)


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


def allowed_scopes(user):
    """The scopes this account's tokens may have."""
    return MEMBER_SCOPES + (STAFF_SCOPES if user.is_staff else ())


def check_scopes(user, scopes):
    """`scopes` (None: all the account may have) as stored, or a domain error: unknown
    ones and staff ones for a fan are refused, and staff ones while two-factor sign-in
    is required but not on."""
    if scopes is None:
        scopes = allowed_scopes(user)
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValidationError(_("Unknown scope %(scope)s.", scope=sorted(unknown)[0]),
                              field="scopes")
    scopes = [scope for scope in SCOPES if scope in set(scopes)]
    if not scopes:
        raise ValidationError(_("Choose at least one scope."), field="scopes")
    staff = [scope for scope in scopes if scope in STAFF_SCOPES]
    if staff and not user.is_staff:
        raise Forbidden(_("Only staff tokens can have staff scopes."), code="staff_scope")
    if staff and twofactor.required_for(user) and not twofactor.is_enabled(user):
        raise Forbidden(_("Turn on two-factor sign-in before making a staff token."),
                        code="two_factor_required")
    return " ".join(scopes)


def create_token(user, name, scopes=None):
    """A new token for `user`: (row, plaintext). The plaintext exists only here.
    `scopes`: what it may do (check_scopes; None is all the account may have)."""
    name = _check_name(name)
    user_id = user.id
    if user.is_banned:
        raise Forbidden(_("This account is banned."), code="banned")
    stored = check_scopes(user, scopes)
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction():
        active = db.session.scalar(select(func.count(ApiToken.id)).where(
            ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)))
        if active >= MAX_ACTIVE:
            raise Conflict(_("You have %(n)d active tokens. Revoke one first.", n=MAX_ACTIVE),
                           code="too_many_tokens")
        token = ApiToken(user_id=user_id, name=name, token_hash=hash_token(plaintext),
                         prefix=plaintext[:SHOWN_CHARS], scopes=stored)
        db.session.add(token)
    return token, plaintext


def create_token_with_password(login, password, name, scopes=DEFAULT_SCOPES, code=None):
    """POST /api/v1/tokens: sign in with a password (and the second factor's `code` when
    it is on) and get a token back. An account that must set two-factor sign-in up first
    does that on the website."""
    name = _check_name(name)
    user = accounts.authenticate(login, password)
    if user is None:
        raise Unauthorized(_("Wrong username, email or password."), code="invalid_credentials")
    if user.is_banned:
        raise Forbidden(_("This account is banned."), code="banned")
    step = twofactor.second_step(user)
    if step == "enrol":
        raise Forbidden(_("Set up two-factor sign-in on the website first."),
                        code="two_factor_required")
    if step == "code":
        if not code:
            raise Unauthorized(_("This account uses two-factor sign-in: send the code from "
                                 "your app as otp."), code="otp_required")
        if not twofactor.verify_second_factor(user, code):
            raise Unauthorized(_("That code is not right."), code="invalid_otp")
    token, plaintext = create_token(user, name, scopes)
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
_LOOKUP = (select(User, ApiToken.id, ApiToken.last_used_at, ApiToken.scopes)
           .join(ApiToken, ApiToken.user_id == User.id).where(*_LIVE))
# The same for a request that needs only the account's facts: a Reader from a Core row.
_LOOKUP_READER = (select(*READER_COLUMNS, ApiToken.id, ApiToken.last_used_at, ApiToken.scopes)
                  .join(ApiToken, ApiToken.user_id == User.id).where(*_LIVE))


def _lookup(plaintext, light):
    if not isinstance(plaintext, str) or not plaintext.startswith(TOKEN_PREFIX) \
            or len(plaintext) > 200:
        return None
    token_hash = hash_token(plaintext)
    if light:
        # The row as the driver's own SQL (compiled.py), on the session's connection, which
        # the request's use case goes on with (begun here, as a query would).
        db.session.connection()
        rows = rows_of(_LOOKUP_READER, token_hash=token_hash)
        return (Reader(rows[0]), *rows[0][-3:]) if rows else None
    return db.session.execute(_LOOKUP, {"token_hash": token_hash}).first()


def authenticate_token(plaintext, light=False):
    """(user, token) for a working token; the token is a TokenInUse (its `id`,
    `last_used_at` and `scopes`). With light=True the user is a Reader (the account's facts,
    the rest loaded when asked), for requests whose use cases need no more.

    Raises Unauthorized (code invalid_token) for an unknown or revoked token and
    Forbidden (code banned) when its account is banned.
    """
    row = _lookup(plaintext, light)
    if row is None:
        raise Unauthorized(_("This token does not work: it is wrong or has been revoked."),
                           code="invalid_token")
    user, token = row[0], TokenInUse(row[1], moment(row[2]), frozenset(row[3].split()))
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
