"""Rate limits hold across the workers of a host: real gunicorn, two workers."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = pytest.mark.concurrency


def test_30_wrong_passwords_get_10_answers_across_two_workers(sqlite_app, live_servers, tmp_path):
    # SQLite only: the limits live in their own store, whichever database the site uses.
    base = live_servers.start(sqlite_app.config["SQLALCHEMY_DATABASE_URI"], workers=2, env={
        "FANFORGE_RATELIMIT_ENABLED": "true",
        # The embedded default's storage, in this test's folder rather than instance/.
        "FANFORGE_RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path}/ratelimits.sqlite3",
        "FANFORGE_RATELIMIT_LOGIN": "10 per minute",
    })

    def attempt(i):
        # A new connection each time, so both workers take their share.
        return requests.post(f"{base}/api/v1/tokens", timeout=30,
                             json={"username": f"someone{i % 3}", "password": "wrong"},
                             headers={"Connection": "close"}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(attempt, range(30)))
    assert codes.count(401) == 10 and codes.count(429) == 20, codes
