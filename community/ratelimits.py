"""Rate limits for the routes that cost or can be abused: sign-in, sign-up, posting.

Limits come from config (FANFORGE_RATELIMIT_*), storage from
FANFORGE_RATELIMIT_STORAGE_URI (memory by default, redis:// across hosts), and
FANFORGE_RATELIMIT_ENABLED=false turns them off for load tests.
"""

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from .extensions import limiter


def user_or_address():
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def _config(name):
    return lambda: current_app.config[name]


# One sign-in budget shared by the form and POST /api/v1/tokens.
login = limiter.shared_limit(_config("RATELIMIT_LOGIN"), scope="login", methods=["POST"])
register = limiter.limit(_config("RATELIMIT_REGISTER"), methods=["POST"])
# One budget for every kind of post, so a spammer cannot spread over forms.
posting = limiter.shared_limit(
    _config("RATELIMIT_POSTING"), scope="posting", key_func=user_or_address, methods=["POST"]
)
