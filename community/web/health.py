"""Health endpoints for load balancers and orchestrators.

/healthz: the process is up and serving (200, touches nothing).
/readyz: the database, and Redis wherever it is configured (page cache, queue, rate
limits), answer within READY_TIMEOUT seconds; else 503 naming what failed, as JSON.
Neither is a public page (never stored by the page cache) nor rate limited.
"""

from contextlib import suppress

import redis
from flask import Blueprint, current_app
from sqlalchemy import text

from ..kernel import connections
from ..kernel.extensions import db, limiter

READY_TIMEOUT = 2.0
# The settings that may name a Redis server, and what each is for.
REDIS_SETTINGS = {"CACHE_URL": "cache", "QUEUE_URL": "queue", "RATELIMIT_STORAGE_URI": "limits"}

bp = Blueprint("health", __name__)
limiter.exempt(bp)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    checks = {"database": _check_database()}
    for url, uses in _redis_urls(current_app.config).items():
        checks["redis (" + ", ".join(uses) + ")"] = _check_redis(url)
    failed = sorted(name for name, outcome in checks.items() if outcome != "ok")
    body = {"status": "unavailable" if failed else "ok", "failed": failed, "checks": checks}
    return body, 503 if failed else 200, {"Cache-Control": "no-store"}


def _check_database():
    try:
        with connections.deadline(READY_TIMEOUT):
            # SQLite's SELECT 1 would not open the file; its schema version is read from it.
            sql = "PRAGMA schema_version" if db.engine.dialect.name == "sqlite" else "SELECT 1"
            db.session.execute(text(sql)).scalar()
        return "ok"
    except Exception as error:  # whatever it is, the answer is "not ready, because"
        return f"{type(error).__name__}: {str(getattr(error, 'orig', error)).strip()[:200]}"
    finally:
        with suppress(Exception):  # the connection may be gone with the database
            db.session.rollback()


def _redis_urls(config):
    urls = {}
    for key, use in REDIS_SETTINGS.items():
        url = config.get(key) or ""
        if url.startswith(("redis://", "rediss://", "unix://")):
            urls.setdefault(url, []).append(use)
    return urls


def _check_redis(url):
    client = redis.Redis.from_url(url, socket_timeout=READY_TIMEOUT,
                                  socket_connect_timeout=READY_TIMEOUT)
    try:
        client.ping()
        return "ok"
    except redis.RedisError as error:
        return f"{type(error).__name__}: {str(error)[:200]}"
    finally:
        client.close()
