"""Account use cases: sign-up, sign-in, passwords and roles."""

import re

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from .. import mail
from ..kernel import signals
from ..kernel.database import transaction, utcnow
from ..kernel.errors import Forbidden, NotFound, ValidationError
from ..kernel.extensions import db
from . import names, twofactor
from .models import ROLES, SKELETON_CHARS, User

USERNAME_RE = re.compile(r"^[\w-]{2,32}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256


def normalize_email(email):
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationError(_("Enter a valid email address."), field="email") from None


def check_username(username):
    """The name as it will be kept (NFKC), or ValidationError: letters, digits, '_' or
    '-', and not a mix of scripts that could pass for another name (names.py)."""
    username = names.normalise(username)
    if not USERNAME_RE.match(username) or len(names.key(username)) > 32 \
            or len(names.skeleton(username)) > SKELETON_CHARS:
        raise ValidationError(
            _("Use 2-32 letters, digits, '_' or '-' for the username."), field="username"
        )
    if names.mixes_scripts(username):
        raise ValidationError(
            _("Write the username in one script: mixing alphabets makes names that look "
              "like others."), field="username")
    return username


# zxcvbn's verdict on a weak password, in our words and both languages: its own
# warnings are English only. A weak password with no warning gets WEAK.
WEAK = _l("This password is too easy to guess. A few uncommon words together make a "
          "strong one.")
WARNINGS = {
    "This is a top-10 common password.": _l("This is one of the most common passwords."),
    "This is a top-100 common password.": _l("This is one of the most common passwords."),
    "This is a very common password.": _l("This is a very common password."),
    "This is similar to a commonly used password.":
        _l("This is too like a commonly used password."),
    "A word by itself is easy to guess.": _l("A single word is easy to guess."),
    "Names and surnames by themselves are easy to guess.": _l("A name alone is easy to guess."),
    "Common names and surnames are easy to guess.": _l("A name alone is easy to guess."),
    "Straight rows of keys are easy to guess.": _l("Rows of keys are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Keyboard patterns are easy to guess."),
    'Repeats like "aaa" are easy to guess.': _l("Repeated characters are easy to guess."),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        _l("Repeated characters are easy to guess."),
    'Sequences like "abc" or "6543" are easy to guess.':
        _l('Sequences like "abc" or "6543" are easy to guess.'),
    "Recent years are easy to guess.": _l("Dates and years are easy to guess."),
    "Dates are often easy to guess.": _l("Dates and years are easy to guess."),
}
# zxcvbn's cost grows with the length; a password longer than this is judged by its start.
JUDGED_CHARS = 64


def check_password(password, field="password", user_inputs=()):
    """A password long enough and not easy to guess (zxcvbn's score of at least
    PASSWORD_MIN_SCORE, 0-4): the most common passwords, words, names, dates, keyboard
    rows and the account's own name or address are refused, with the reason."""
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(
            _("The password needs at least %(n)d characters.", n=MIN_PASSWORD), field=field
        )
    if len(password) > MAX_PASSWORD:
        raise ValidationError(_("The password may have at most %(n)d characters.", n=MAX_PASSWORD), field=field)
    verdict = zxcvbn(password[:JUDGED_CHARS], user_inputs=[i for i in user_inputs if i])
    if verdict["score"] < current_app.config["PASSWORD_MIN_SCORE"]:
        reason = WARNINGS.get(verdict["feedback"]["warning"], WEAK)
        raise ValidationError(str(reason), field=field)
    return password


def hash_password(password):
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def register(username, email, password, role="fan", verified=False, locale=None):
    """Create an account. Raises ValidationError naming the field at fault.

    An unverified account gets a confirmation mail (queued with it); `verified` is for
    accounts made by staff from the shell and for the demo. `locale` is the language
    the person signed up in: the language of their mail until they pick another.
    """
    username = check_username(username)
    email = normalize_email(email)
    check_password(password, user_inputs=(username, email))
    if role not in ROLES:
        raise ValidationError(_("Unknown role %(role)s.", role=role), field="role")
    with transaction():
        _ensure_free(username, email)
        user = User(
            username=username,
            username_key=names.key(username),
            username_skeleton=names.skeleton(username),
            email=email,
            password_hash=hash_password(password),
            role=role,
            email_verified_at=utcnow() if verified else None,
            locale=locale,
        )
        db.session.add(user)
        try:
            db.session.flush()
        except IntegrityError:
            # Lost a race with another sign-up between the check and the insert.
            raise ValidationError(_("That username or email is already taken."), field="username") from None
        if not verified:
            mail.queue("verify_email", user_id=user.id)
        signals.user_registered.send(user)
    return user


def sign_up(username, email, password, locale=None):
    """The public sign-up form: the new account, or None when the address already has one.

    Either way the person sees the same "check your mail" answer, so the form cannot tell
    which addresses have accounts; the owner of a taken address gets a mail saying someone
    tried to register with it (to sign in, or reset the password). The password is hashed
    in both cases so the time taken tells nothing either. A taken username is no secret
    (profiles show it) and is still said at once.
    """
    username = check_username(username)
    email = normalize_email(email)
    if not _address_taken(email):
        try:
            return register(username, email, password, locale=locale)
        except ValidationError:
            if not _address_taken(email):  # lost a race for the address: as below
                raise
    check_password(password, user_inputs=(username, email))
    hash_password(password)
    if _name_taken(username):
        raise ValidationError(_("That username is already taken."), field="username")
    with transaction():
        mail.queue("register_taken", to=email)
    return None


def _address_taken(email):
    return db.session.scalar(select(User.id).where(User.email == email)) is not None


def _name_taken(username):
    """Taken, or too like a name that is (the same skeleton)."""
    return db.session.scalar(select(User.id).where(
        User.username_skeleton == names.skeleton(username))) is not None


def _ensure_free(username, email):
    if _name_taken(username):
        raise ValidationError(_("That username is already taken."), field="username")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise ValidationError(_("An account with that email already exists."), field="email")


def authenticate(login, password):
    """The user with that username or email and password, or None."""
    login = (login or "").strip()
    user = db.session.scalar(select(User).where(
        or_(User.username_key == names.key(login), User.email == login.lower())))
    if user is None:
        # Spend the same time as a real check so timing does not reveal accounts.
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


_DUMMY = {}


def _dummy_hash():
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY:
        _DUMMY[method] = generate_password_hash("not-a-password", method=method)
    return _DUMMY[method]


def ensure_verified(user):
    """Posting, messaging and pre-ordering need a confirmed address
    (FANFORGE_REQUIRE_VERIFIED_EMAIL); reading and voting do not."""
    if current_app.config["REQUIRE_VERIFIED_EMAIL"] and user.email_verified_at is None:
        raise Forbidden(_("Confirm your email address first: open the link we mailed you, "
                          "or have it sent again from your settings."), code="email_unverified")


def set_locale(user, locale):
    with transaction():
        db.session.execute(update(User).where(User.id == user.id).values(locale=locale))


def get_by_username(username):
    """The account `username` finds, as typed in any case or width; NotFound if none."""
    user = db.session.scalar(select(User).where(User.username_key == names.key(username)))
    if user is None:
        raise NotFound(_("No user named %(name)s.", name=username))
    return user


def keys_of(usernames):
    """The lookup keys (names.key: NFKC, casefolded) of these names, each once, in order;
    blanks dropped. Every package that finds accounts by typed names compares these."""
    return [k for k in dict.fromkeys(names.key(name) for name in usernames) if k]


def users_named(usernames):
    """The accounts these names find, as typed in any case or width (`ＡＬＩＣＥ` is alice)."""
    keys = keys_of(usernames)
    return db.session.scalars(select(User).where(User.username_key.in_(keys))).all() \
        if keys else []


def parse_session_id(session_id):
    """(user id, auth version) from Flask-Login's "<id>.<auth_version>", or None."""
    user_id, _, version = (session_id or "").partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    return int(user_id), int(version)


def session_still_valid(account, version):
    """A session signed in at auth `version` still holds: same version, not banned, and
    not a staff account that must use two-factor sign-in and does not (it was made staff,
    or the rule came in, since): signed out, it sets it up as it signs in again. Only a
    staff session pays that query."""
    return (_version_holds(account, version)
            and not (account.is_staff and twofactor.required_for(account)
                     and not twofactor.is_enabled(account)))


def _version_holds(account, version):
    return account is not None and account.auth_version == version and not account.is_banned


def account_at_version(user_id, version):
    """The account half-way through signing in (accounts/signin.py) if it still holds at
    auth `version` (not banned, no sign-out or new password since), else None."""
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return user if _version_holds(user, version) else None


def load_session_user(session_id):
    """Flask-Login's loader: "<id>.<auth_version>", and banned users are signed out."""
    parsed = parse_session_id(session_id)
    if parsed is None:
        return None
    user = db.session.get(User, parsed[0])
    return user if session_still_valid(user, parsed[1]) else None


def count_users():
    return db.session.scalar(select(func.count(User.id)))
