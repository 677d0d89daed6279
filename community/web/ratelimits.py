"""Rate limits for the routes that cost or can be abused: sign-in, sign-up, posting.

Limits come from config (FANFORGE_RATELIMIT_*). Counters live in an SQLite file in the
instance folder by default, shared by every worker of the host (community/kernel/ratelimit_store.py),
or in Redis across hosts (FANFORGE_RATELIMIT_STORAGE_URI); FANFORGE_RATELIMIT_ENABLED=false
turns them off for load tests.

When the storage cannot be reached, limits are a helper, not a dependency: Flask-Limiter
logs a warning and counts in each worker's memory until it answers again (fails open).
Sign-in and password reset are the exception: their per-account budget (`per_account`)
is what stands between a password and a botnet, so without storage they answer 503.
"""

import hashlib
import logging
from functools import wraps

from flask import current_app, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from ..kernel.extensions import limiter
from .http import form_text

log = logging.getLogger(__name__)
RETRY_AFTER = 30  # seconds a client is asked to wait when the storage is away


def user_or_address():
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def _config(name):
    return lambda: current_app.config[name]


def typed_account():
    """The account a sign-in or reset form names, as typed (login, email, or the API's
    JSON username), normalised and hashed: a limit per account whether it exists or not."""
    typed = form_text("login", None) or form_text("email", None)
    if typed is None and request.is_json:
        body = request.get_json(silent=True)
        typed = body.get("username") if isinstance(body, dict) else None
    typed = typed if isinstance(typed, str) else ""
    return hashlib.sha256(typed.strip().casefold().encode()).hexdigest()[:32]


_STRATEGIES = {}


def _strategy(storage):
    found = _STRATEGIES.get(id(storage))
    if found is None or found[0] is not storage:
        found = _STRATEGIES[id(storage)] = (storage, FixedWindowRateLimiter(storage))
    return found[1]


def per_account(config_name, scope):
    """A budget per account named in the form (config `config_name`), on POST, counted
    in the shared storage itself and never in a worker's memory: when the storage cannot
    be reached the route answers 503 (fails closed)."""
    return per_key(config_name, scope, typed_account)


def per_key(config_name, scope, key):
    """per_account's budget for the account `key()` names (a string; None counts nothing),
    e.g. the one whose second sign-in step is being tried."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if request.method == "POST" and limiter.enabled:
                name = key()
                if name is not None:
                    _hit_account(config_name, scope, name)
            return view(*args, **kwargs)
        return wrapper
    return decorate


def _hit_account(config_name, scope, name):
    storage = limiter.storage
    item = parse(current_app.config[config_name])
    try:
        # Under the app's key prefix, as Flask-Limiter's own limits are: hosts or runs
        # sharing one Redis keep their budgets apart.
        prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
        allowed = _strategy(storage).hit(item, *filter(None, [prefix]), scope, name)
    except storage.base_exceptions as error:
        log.warning("Rate-limit storage unreachable; %s refused (fails closed): %s",
                    scope, error)
        unavailable = ServiceUnavailable(
            _("This is briefly unavailable. Try again in a minute."))
        unavailable.retry_after = RETRY_AFTER
        raise unavailable from None
    if not allowed:
        raise TooManyRequests()


# One sign-in budget per client shared by the form and POST /api/v1/tokens, and one per
# account named, shared alike.
_login_per_client = limiter.shared_limit(_config("RATELIMIT_LOGIN"), scope="login",
                                         methods=["POST"])
_login_per_account = per_account("RATELIMIT_LOGIN_ACCOUNT", "login-account")


def login(view):
    return _login_per_client(_login_per_account(view))


# The second sign-in step (a code) spends the same per-client budget as the first.
login_per_client = _login_per_client


register = limiter.limit(_config("RATELIMIT_REGISTER"), methods=["POST"])
# One budget for every kind of post, so a spammer cannot spread over forms.
posting = limiter.shared_limit(
    _config("RATELIMIT_POSTING"), scope="posting", key_func=user_or_address, methods=["POST"]
)
