"""Two-factor sign-in: a TOTP code from an authenticator app (RFC 6238, through pyotp), or
one of ten recovery codes for the day the phone is lost.

Who needs it: staff and admin (TWO_FACTOR_ENFORCE = "staff", the default; "all" asks it
of every account and "no" of nobody, as Discourse's enforce_second_factor does). A fan
may turn it on and off in their settings.

- The secret is made when enrolment starts and kept on the server (a row whose
  enabled_at is still empty), never in the session cookie; it counts once a code from
  it has been typed.
- A code is good for its 30-second step and the steps either side (clocks drift), and
  once only: the last step used is stored and a conditional UPDATE moves it forward, so
  a code seen over a shoulder, or sent twice by racing requests, is refused.
- Recovery codes are shown once, stored as hashes; using one is a conditional UPDATE
  that only one request can win.
- Turning it on or off ends every other session (auth_version), as a new password does.

Other use cases that must be confirmed by the person themselves (closing an account)
call confirm_identity(user, password, code): the password, and the second factor when on.
"""

import hashlib
import hmac
import re
import secrets
import time
from datetime import datetime

import pyotp
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, delete, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash

from ..kernel.database import insert_ignore, transaction, utcnow
from ..kernel.dependencies import private_table
from ..kernel.errors import Conflict, Forbidden, ValidationError
from ..kernel.extensions import db
from .models import User

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps either side of now whose code is still taken
RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
ENFORCE = ("no", "staff", "all")
_CODE = re.compile(f"[0-9]{{{DIGITS}}}")


class TwoFactor(db.Model):
    """An account's authenticator secret: being set up (enabled_at empty) or on."""

    __tablename__ = "two_factor"
    __table_args__ = private_table()

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enabled_at: Mapped[datetime | None]
    # The TOTP step (unix time // 30) of the last code taken: no code of it or before again.
    last_step: Mapped[int | None]


class RecoveryCode(db.Model):
    __tablename__ = "recovery_codes"
    __table_args__ = private_table()

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]


# ---- who needs it ------------------------------------------------------------

def required_for(user):
    """Whether this account may not sign in (or use a staff page) without it."""
    enforce = current_app.config["TWO_FACTOR_ENFORCE"]
    return enforce == "all" or (enforce == "staff" and user.is_staff)


def settings_of(user_id):
    """The account's TwoFactor row (on, or being set up), or None."""
    return db.session.get(TwoFactor, user_id)


def is_enabled(user):
    return db.session.scalar(select(TwoFactor.enabled_at).where(
        TwoFactor.user_id == user.id)) is not None


def second_step(user):
    """After a right password: "code" (it is on), "enrol" (it is required and not on yet)
    or None (signed in at once)."""
    if is_enabled(user):
        return "code"
    return "enrol" if required_for(user) else None


# ---- setting it up -----------------------------------------------------------

def begin_enrolment(user):
    """The secret to show as a QR code: the one being set up if there is one (a reload
    shows the same code the phone may have scanned), else a new one."""
    user_id = user.id
    with transaction():
        insert_ignore(TwoFactor, user_id=user_id, secret=pyotp.random_base32(),
                      created_at=utcnow())
    row = db.session.scalar(select(TwoFactor).where(TwoFactor.user_id == user_id)
                            .execution_options(populate_existing=True))
    if row.enabled_at is not None:
        raise Conflict(_("Two-factor sign-in is already on."), code="two_factor_on")
    return row.secret


def provisioning_uri(user, secret):
    """The otpauth:// link a QR code carries to an authenticator app."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username,
                                               issuer_name=current_app.config["SITE_NAME"])


def enable(user, code, password=None):
    """Turn it on with a code from the secret being set up (and the password, when the
    person is signed in already). Returns the recovery codes, shown this once."""
    if password is not None:
        _check_password(user, password)
    row = settings_of(user.id)
    if row is None or row.enabled_at is not None:
        raise Conflict(_("Start setting up two-factor sign-in again."), code="two_factor_state")
    if not _take_totp(user.id, row.secret, code):
        raise ValidationError(_("That code is not right. Type the code your app shows now."),
                              field="code")
    user_id = user.id
    with transaction():
        turned_on = db.session.execute(
            update(TwoFactor).where(TwoFactor.user_id == user_id, TwoFactor.enabled_at.is_(None))
            .values(enabled_at=utcnow())).rowcount
        if turned_on != 1:
            raise Conflict(_("Two-factor sign-in is already on."), code="two_factor_on")
        codes = _replace_recovery_codes(user_id)
        _end_sessions(user_id)
    db.session.refresh(user)
    return codes


def disable(user, password, code):
    """Turn it off: password and a current code (or a recovery code). Not for an account
    that needs it."""
    if required_for(user):
        raise Forbidden(_("Staff accounts must keep two-factor sign-in on."),
                        code="two_factor_required")
    confirm_identity(user, password, code)
    user_id = user.id
    with transaction():
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user_id))
        _end_sessions(user_id)
    db.session.refresh(user)


def new_recovery_codes(user, password, code):
    """A fresh set of recovery codes (the old ones stop working), shown once."""
    confirm_identity(user, password, code)
    user_id = user.id
    with transaction():
        return _replace_recovery_codes(user_id)


def recovery_codes_left(user):
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def reset(user):
    """For staff helping someone who lost their phone and codes (`flask users
    reset-two-factor`): it is off, and every session ends."""
    user_id = user.id
    with transaction():
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user_id))
        _end_sessions(user_id)


# ---- checking a code ---------------------------------------------------------

def verify_second_factor(user, code):
    """Whether `code` is a good TOTP code or an unused recovery code of `user`; a code
    that is good is used up (a TOTP code's step, or the recovery code). False when
    two-factor sign-in is off. Callers rate-limit the requests that call this."""
    code = (code or "").strip().lower().replace(" ", "")
    if not code or len(code) > 32:
        return False
    row = settings_of(user.id)
    if row is None or row.enabled_at is None:
        return False
    if _CODE.fullmatch(code):
        return _take_totp(user.id, row.secret, code)
    return _take_recovery_code(user.id, code)


def confirm_identity(user, password, code, field="code"):
    """Confirm a use case with the password, and the second factor when it is on: a
    ValidationError naming the field at fault otherwise."""
    _check_password(user, password)
    if is_enabled(user) and not verify_second_factor(user, code):
        raise ValidationError(_("That code is not right. Type the code your app shows now, "
                                "or one of your recovery codes."), field=field)


def _check_password(user, password):
    if not check_password_hash(user.password_hash, password or ""):
        raise ValidationError(_("The current password is not right."), field="password")


def current_step(now=None):
    return int((time.time() if now is None else now) // STEP_SECONDS)


def _take_totp(user_id, secret, code):
    """The code is one of the window's steps newer than the last taken: take it (the
    conditional UPDATE lets one request win)."""
    code = (code or "").strip().replace(" ", "")
    if not _CODE.fullmatch(code):  # ASCII digits: "１２３４５６" is isdigit() too
        return False
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now = current_step()
    for step in range(now - WINDOW, now + WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            with transaction():
                return db.session.execute(
                    update(TwoFactor).where(
                        TwoFactor.user_id == user_id,
                        or_(TwoFactor.last_step.is_(None), TwoFactor.last_step < step))
                    .values(last_step=step)).rowcount == 1
    return False


def _hash_recovery(user_id, code):
    normalised = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(f"{user_id}:{normalised}".encode()).hexdigest()


def _take_recovery_code(user_id, code):
    with transaction():
        return db.session.execute(
            update(RecoveryCode).where(RecoveryCode.user_id == user_id,
                                       RecoveryCode.code_hash == _hash_recovery(user_id, code),
                                       RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow())).rowcount == 1


def _replace_recovery_codes(user_id):
    """Inside the caller's transaction: RECOVERY_COUNT new codes ("xxxxx-xxxxx", 50 bits
    each), the old ones gone."""
    codes = []
    for _n in range(RECOVERY_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    db.session.add_all(RecoveryCode(user_id=user_id, code_hash=_hash_recovery(user_id, code))
                       for code in codes)
    return codes


def _end_sessions(user_id):
    db.session.execute(update(User).where(User.id == user_id)
                       .values(auth_version=User.auth_version + 1)
                       .execution_options(synchronize_session=False))
