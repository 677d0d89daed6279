"""20 simultaneous check-ins by one fan through gunicorn with 4 workers: one check-in, one award."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from helpers import PASSWORD, make_user
from servers import http_login
from sqlalchemy import func, select

from community.accounts import service as accounts
from community.engagement.models import CheckIn, PointEntry
from community.kernel.extensions import db

pytestmark = pytest.mark.concurrency


def test_20_check_ins_at_once_count_once(app, live_servers):
    with app.app_context():
        make_user("eager")
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    session = http_login(base, "eager", PASSWORD)

    def check_in():
        return session.post(f"{base}/checkin", data={"csrf_token": session.csrf},
                            headers={"Accept": "application/json"}, timeout=60)

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _: check_in(), range(20)))
    assert {r.status_code for r in responses} == {200}
    assert sum(r.json()["new"] for r in responses) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
        kinds = db.session.scalars(select(PointEntry.kind)).all()
        assert kinds.count("checkin") == 1
        assert accounts.get_by_username("eager").points == 2
