"""Visitors' stored pages through gunicorn with 4 workers sharing one page store: once a
write has been answered, no worker serves a page from before it (SQLite and PostgreSQL)."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from helpers import PASSWORD, make_board, make_user
from servers import http_login

from community.ideas import service as ideas

pytestmark = pytest.mark.concurrency


def _count(response):
    assert response.status_code == 200
    return int(re.search(r'data-testid="vote-count"[^>]*>\s*(\d+)', response.text).group(1))


def test_visitors_never_see_a_count_older_than_the_last_answered_vote(app, live_servers):
    with app.app_context():
        names = [make_user(f"caster{i}").username for i in range(24)]
        idea_id = ideas.propose(make_board(), make_user(), "Cache me if you can", "b").id
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    page = f"{base}/ideas/{idea_id}"
    sessions = [http_login(base, name, PASSWORD) for name in names]
    seen = [requests.get(page, timeout=60) for _ in range(8)]
    assert {r.headers.get("X-Page-Cache") for r in seen} >= {"hit"}

    def vote_then_look(session):
        # Every read after this vote's answer must count at least this many votes.
        answered = session.post(f"{base}/ideas/{idea_id}/vote",
                                data={"vote": "1", "csrf_token": session.csrf},
                                headers={"Accept": "application/json"}, timeout=60)
        assert answered.status_code == 200
        floor = answered.json()["votes"]
        return [(floor, _count(requests.get(page, timeout=60))) for _ in range(3)]

    with ThreadPoolExecutor(max_workers=12) as pool:
        looks = [pair for pairs in pool.map(vote_then_look, sessions) for pair in pairs]
    assert all(count >= floor for floor, count in looks), looks
    final = [requests.get(page, timeout=60) for _ in range(12)]
    assert [_count(r) for r in final] == [24] * 12
    assert "hit" in {r.headers.get("X-Page-Cache") for r in final}
