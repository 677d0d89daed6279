"""Fanforge's application factory: `create_app(config=None)` and the module-level `app`.

Building the app has no side effects beyond making the instance folder: no
migrations, no prompts, no network. `make run` migrates and loads demo data.
"""

import os

from flask import Flask

DEFAULTS = {
    "ENV": "development",
    "SECRET_KEY": None,
    # Empty means an SQLite file in the instance folder.
    "DATABASE_URL": "",
    # A server's connections can drop (PostgreSQL: pre-pinged, see below); a file's cannot.
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "PASSWORD_HASH_METHOD": "scrypt",
    "LANGUAGES": ["zh", "en"],
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    # The community's own clock: calendar days, digests and check-ins follow it.
    "TIMEZONE": "Asia/Shanghai",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_LOGIN": "10 per minute",
    "RATELIMIT_REGISTER": "5 per minute",
    "RATELIMIT_POSTING": "6 per minute",
    "PER_PAGE": 20,
    # Posting links and images needs this level (a spam guard).
    "LINKS_MIN_LEVEL": 2,
    # Every absolute link (mail, share links, API urls) points here, never at the host a
    # request named (community/site.py).
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
    # The task queue: empty is SQLite in the instance folder; redis://host:6379/0 to share.
    "QUEUE_URL": "",
    "QUEUE_NAME": "fanforge",
    # Stored pages (community/pagecache.py): empty is a SQLite file in the instance folder;
    # redis://host:6379/1 to share between machines; none to turn it off.
    "CACHE_URL": "",
}

DEV_SECRET_KEY = "dev-only-not-a-secret"


def create_app(config=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FANFORGE")
    if config:
        app.config.from_mapping(config)
    _finish_config(app, explicit=set(config or ()))

    from community import pagecache
    from community import setup as community
    from products import setup as products

    community.init_app(app)
    products.init_app(app)
    pagecache.init_serving(app)  # last: stored pages are served after the other hooks
    return app


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

    url = cfg.get("SQLALCHEMY_DATABASE_URI") or cfg.get("DATABASE_URL")
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "fanforge.sqlite3")
    # Accept the URLs hosting services hand out; psycopg 3 is the driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    cfg["SQLALCHEMY_DATABASE_URI"] = url
    if not url.startswith("sqlite"):
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True,
                                            **cfg["SQLALCHEMY_ENGINE_OPTIONS"]}


app = create_app()
