"""Fanforge's application factory: `create_app(config=None)` and the module-level `app`.

Building the app has no side effects beyond making the instance folder: no
migrations, no prompts, no network. `make run` migrates and loads demo data.
"""

import os
from types import FunctionType

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from community import wiring as community
from community.web import pagecache
from community.web.cookiesession import CookieSessions
from demo.cli import demo
from products import wiring as products

DEFAULTS = {
    "ENV": "development",
    "SECRET_KEY": None,
    # Empty means an SQLite file in the instance folder.
    "DATABASE_URL": "",
    # Added to the engine options below (PostgreSQL: connect timeout and keepalives).
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    # PostgreSQL deadlines in seconds (community/kernel/connections.py): connecting, and a
    # statement in a web request or in the worker and commands. gunicorn's worker timeout
    # (30 s) stays above a request's: statement timeout + 1 s + a reconnect.
    "DATABASE_CONNECT_TIMEOUT": 2,
    "DATABASE_STATEMENT_TIMEOUT": 5,
    "DATABASE_JOB_STATEMENT_TIMEOUT": 300,
    # Seconds a 503 (database unreachable) or 507 (disk full) asks clients to wait.
    "UNAVAILABLE_RETRY_AFTER": 5,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "PASSWORD_HASH_METHOD": "scrypt",
    # zxcvbn's score (0-4) a new password needs: 2 refuses the common and the easily guessed.
    "PASSWORD_MIN_SCORE": 2,
    "LANGUAGES": ["zh", "en"],
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    # The community's own clock: calendar days, digests and check-ins follow it.
    "TIMEZONE": "Asia/Shanghai",
    "RATELIMIT_ENABLED": True,
    # Empty is an SQLite file in the instance folder, shared by the host's workers;
    # redis://host:6379/3 to share limits between hosts.
    "RATELIMIT_STORAGE_URI": "",
    # Storage away: count in each worker's memory meanwhile and log it (sign-in and reset
    # fail closed instead, community/web/ratelimits.py).
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_LOGIN": "10 per minute",  # per client
    "RATELIMIT_LOGIN_ACCOUNT": "20 per hour",  # per account named, from any client
    "RATELIMIT_REGISTER": "5 per minute",
    "RATELIMIT_POSTING": "6 per minute",
    "PER_PAGE": 20,
    # Search: "" is PostgreSQL's full-text search on PostgreSQL (every host shares it) and
    # whoosh files on SQLite; "whoosh" keeps whoosh on PostgreSQL too (community/search).
    "SEARCH_BACKEND": "",
    # A request body past this is a 413 (a 50,000-character reply in Chinese, form-encoded,
    # is ~450 KB); an image upload raises it for its own request (catalog/staff_views.py),
    # and JSON bodies are held lower (community/web/http.py): the same reply \u-escaped ~300 KB.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "JSON_MAX_BYTES": 512 * 1024,
    # Posting links and images needs this level (a spam guard).
    "LINKS_MIN_LEVEL": 2,
    # Every absolute link (mail, share links, API urls) points here, never at the host a
    # request named (community/web/site.py).
    "SITE_NAME": "Fanforge",
    "SITE_URL": "http://127.0.0.1:5000",
    # Hosts answered (others get 400): empty is SITE_URL's, plus localhost outside
    # production; a list, or "a.example, .b.example" from FANFORGE_TRUSTED_HOSTS.
    "TRUSTED_HOSTS": None,
    # The path prefix a proxy mounts the site under, e.g. "/forum"; a client cannot set it.
    "SCRIPT_ROOT": "",
    # SMTP (FANFORGE_MAIL_*). No server in development: .eml files in instance/mail.
    "MAIL_SERVER": "",
    "MAIL_PORT": 587,
    "MAIL_USE_TLS": True,  # STARTTLS; MAIL_USE_SSL for TLS from the first byte (465)
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Fanforge <no-reply@localhost>",
    "MAIL_TIMEOUT": 10,  # seconds per SMTP step: a batch must fit in its claim
    "MAIL_BACKEND": "",  # empty: smtp with a server, else the development .eml files
    "MAIL_BATCH": 20,  # mails claimed at once by a worker
    "MAIL_CLAIM_SECONDS": 300,  # a dead worker's claimed mails wait this long
    "MAIL_RETRY_DELAYS": [60, 120, 300, 600, 1200, 1800],  # 7 tries over 68 minutes
    "MAIL_DIGEST_HOUR": 8,  # local time; the digest covers the day before
    "MAIL_KEEP_DAYS": 30,  # sent mail rows are purged after this
    "REQUIRE_VERIFIED_EMAIL": True,
    "VERIFY_EMAIL_MAX_AGE": 48 * 3600,
    "PASSWORD_RESET_MAX_AGE": 3600,
    "RATELIMIT_RESET": "10 per hour",  # per client
    "RATELIMIT_RESET_ADDRESS": "3 per hour",  # per address asked for
    "RATELIMIT_RESEND": "3 per hour",  # confirmation mails per account
    # Two-factor sign-in (community/accounts/twofactor.py): who must use it, "staff" (staff
    # and admin), "all" or "no"; how long the code step waits after a right password; and
    # codes tried per account (from any client; fails closed, as sign-in does).
    "TWO_FACTOR_ENFORCE": "staff",
    "TWO_FACTOR_PENDING_SECONDS": 300,
    "RATELIMIT_TWO_FACTOR": "5 per 5 minutes",
    # The task queue: empty is SQLite in the instance folder; redis://host:6379/0 to share.
    "QUEUE_URL": "",
    "QUEUE_NAME": "fanforge",
    "QUEUE_TIMEOUT": 3,  # seconds to reach Redis: a frozen queue only delays work (> its 1 s poll)
    # Stored pages (community/web/pagecache/serving.py): empty is a SQLite file in the instance folder;
    # redis://host:6379/1 to share between machines; none to turn it off.
    "CACHE_URL": "",
    # Proxies in front of gunicorn that set X-Forwarded-For/-Proto (nginx alone: 1). The
    # client's address (rate limits key on it) and scheme come from the last this many
    # hops; 0 trusts no such header, since a client can write anything there.
    "PROXY_COUNT": 0,
    # Payments (products/payments/): dummy (a gateway in test mode, the default), stripe or
    # wechatpay; each provider's secrets are FANFORGE_PAYMENTS_<PROVIDER>_* (README).
    "PAYMENTS_PROVIDER": "dummy",
    "PAYMENTS_DUMMY_WEBHOOK_SECRET": "",  # empty: derived from SECRET_KEY
    "PAYMENTS_DUMMY_IN_PRODUCTION": False,  # a production start refuses the dummy otherwise
    "PAYMENTS_HOLD_MINUTES": 15,  # units a buyer has not paid for go back on sale after this
    "PAYMENTS_BALANCE_REMINDER_DAYS": 2,  # a reminder this many days before a balance is due
    "PAYMENTS_ACTION_BATCH": 50,  # captures, voids and refunds a worker claims at once
    "PAYMENTS_ACTION_CLAIM_SECONDS": 120,  # a dead worker's claimed actions wait this long
    "PAYMENTS_ACTION_RETRY_DELAYS": [60, 300, 900, 3600, 7200],  # then it waits for staff
    "PAYMENTS_RECONCILE_AFTER_MINUTES": 10,  # ask the provider about payments quiet this long
}

DEV_SECRET_KEY = "dev-only-not-a-secret"


class Fanforge(Flask):
    """Flask, remembering which plain functions are not coroutine functions: it asks
    inspect for each hook and view on every request (some fifteen a request, ten Python
    calls each), and a function's answer never changes. Its cookie sessions sign with a
    serializer built once."""

    session_interface = CookieSessions()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_functions = set()

    def ensure_sync(self, func):
        plain = type(func) is FunctionType
        if plain and func in self._sync_functions:
            return func
        ensured = super().ensure_sync(func)
        if plain and ensured is func:
            self._sync_functions.add(func)
        return ensured


def create_app(config=None):
    app = Fanforge(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FANFORGE")
    if config:
        app.config.from_mapping(config)
    _finish_config(app, explicit=set(config or ()))
    community.init_app(app)
    products.init_app(app)
    app.cli.add_command(demo)  # `flask demo load`, for `make run`
    pagecache.init_serving(app)  # last: stored pages are served after the other hooks
    _behind_proxies(app)
    return app


def _behind_proxies(app):
    """The outermost layer: everything inside sees the client's address and scheme."""
    count = app.config["PROXY_COUNT"]
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise RuntimeError(f"FANFORGE_PROXY_COUNT must be a whole number, 0 or more, not {count!r}")
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def _finish_config(app, explicit=frozenset()):
    cfg = app.config
    if not cfg.get("SECRET_KEY"):
        if cfg["ENV"] == "production":
            raise RuntimeError(
                "FANFORGE_SECRET_KEY is not set. A production start (FANFORGE_ENV=production) "
                "needs a long random secret, e.g. "
                "FANFORGE_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        cfg["SECRET_KEY"] = DEV_SECRET_KEY
    if cfg["ENV"] == "production":
        # Flask ships these keys as False, so setdefault would keep them off: secure
        # cookies unless FANFORGE_* or the config passed in says otherwise.
        for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
            if f"FANFORGE_{key}" not in os.environ and key not in explicit:
                cfg[key] = True
        # Templates compile once per worker and are never checked against the files again
        # (Flask's None means "as debug"; say it outright for production).
        if cfg.get("TEMPLATES_AUTO_RELOAD") is None:
            cfg["TEMPLATES_AUTO_RELOAD"] = False

    if cfg["TWO_FACTOR_ENFORCE"] not in ("no", "staff", "all"):
        raise RuntimeError("FANFORGE_TWO_FACTOR_ENFORCE must be no, staff or all, "
                           f"not {cfg['TWO_FACTOR_ENFORCE']!r}")

    url = cfg.get("SQLALCHEMY_DATABASE_URI") or cfg.get("DATABASE_URL")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "fanforge.sqlite3")
    limits_url = cfg["RATELIMIT_STORAGE_URI"]
    if not limits_url:
        os.makedirs(app.instance_path, exist_ok=True)
        cfg["RATELIMIT_STORAGE_URI"] = "sqlite:///" + os.path.join(app.instance_path,
                                                                   "ratelimits.sqlite3")
    elif limits_url.startswith(("redis://", "rediss://")):
        # A frozen Redis must not freeze every worker: give up after a second.
        cfg["RATELIMIT_STORAGE_OPTIONS"] = {"socket_timeout": 1, "socket_connect_timeout": 1,
                                            **cfg.get("RATELIMIT_STORAGE_OPTIONS", {})}
    # Accept the URLs hosting services hand out; psycopg 3 is the driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    cfg["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("postgresql"):
        options = cfg["SQLALCHEMY_ENGINE_OPTIONS"]
        # Checkouts are pinged by community/kernel/connections.py (its SET statement_timeout).
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_timeout": cfg["DATABASE_CONNECT_TIMEOUT"], **options,
            "connect_args": {**_postgresql_connect_args(cfg), **options.get("connect_args", {})}}
    elif not url.startswith("sqlite"):
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True,
                                            **cfg["SQLALCHEMY_ENGINE_OPTIONS"]}


def _postgresql_connect_args(cfg):
    """libpq's own deadlines: connecting, and noticing a peer gone from the network (a
    keepalive after 30 s idle, then every 10 s, dropped after 3 unanswered; data unacked
    for 20 s). A server that is up but silent is the watchdog's (community/kernel/connections.py)."""
    return {"connect_timeout": max(1, int(cfg["DATABASE_CONNECT_TIMEOUT"])),
            "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
            "keepalives_count": 3, "tcp_user_timeout": 20_000}


app = create_app()
