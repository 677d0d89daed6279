"""Starting a session, in one step or two (the web layer of signing in).

After a right password an account with two-factor sign-in on, or one that must set it up
(staff), is not signed in yet: the session holds only who is half-way (PENDING: their id,
their auth_version, until when, remember-me, where to go next). Nothing counts that as
signed in: Flask-Login reads only its own key, so current_user stays anonymous on every
page, stored or not, and the API never reads the session at all. It lasts
TWO_FACTOR_PENDING_SECONDS, and a new password, a ban or signing out anywhere ends it (its
auth_version no longer matches). Codes tried for an account are counted per account in the
rate-limit storage, whichever client sends them (code_attempts), so a copy of the cookie
buys no extra guesses.
"""

import time

from flask import current_app, g, session
from flask_login import current_user, login_user

from ..web import ratelimits
from ..web.http import safe_next
from . import service, twofactor

PENDING = "_2fa_pending"


def sign_in(user, remember=False):
    """Start a session for `user` with a new CSRF token: a token planted before
    sign-in (or one that leaked from the signed-out page) does not carry over."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)
    session.pop(PENDING, None)
    login_user(user, remember=remember)


def begin(user, remember=False, next_url=None):
    """After a right password: signed in at once (None), or half-way and the second step
    to ask for ("code" or "enrol")."""
    step = twofactor.second_step(user)
    if step is None:
        sign_in(user, remember)
        return None
    session[PENDING] = {
        "user": user.id, "version": user.auth_version, "remember": bool(remember),
        "until": int(time.time()) + current_app.config["TWO_FACTOR_PENDING_SECONDS"],
        "after": next_url or "",
    }
    return step


def forget_pending():
    """Signing out also drops a sign-in left half-way on this browser."""
    session.pop(PENDING, None)


def _pending():
    data = session.get(PENDING)
    if not isinstance(data, dict) or not isinstance(data.get("until"), int):
        return None
    if data["until"] < time.time():
        session.pop(PENDING, None)
        return None
    return data


def pending_user():
    """The account half-way through signing in on this browser, or None (none, expired,
    or its sessions ended since)."""
    data = _pending()
    if data is None:
        return None
    user = service.account_at_version(data.get("user"), data.get("version"))
    if user is None:
        session.pop(PENDING, None)
    return user


def finish(user):
    """The second step passed: the session starts; returns where to go next."""
    data = _pending() or {}
    sign_in(user, remember=data.get("remember", False))
    return safe_next(data.get("after") or None)


def _attempting_account():
    """Whose codes a POST tries: the half-signed-in account, else the signed-in one."""
    data = _pending()
    if data is not None:
        return f"user:{data.get('user')}"
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return None


# Codes tried, per account, from any client; fails closed (ratelimits.per_key). Other
# use cases that take a code (closing an account) put this on their view too.
code_attempts = ratelimits.per_key("RATELIMIT_TWO_FACTOR", "two-factor", _attempting_account)
