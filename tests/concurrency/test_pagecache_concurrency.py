"""Visitors' stored pages through gunicorn with 4 workers sharing one page store: once a
write has been answered, no worker serves a page from before it (SQLite and PostgreSQL)."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from crowds import make_fans
from helpers import PASSWORD, make_board, make_user
from servers import http_login

from community.ideas import service as ideas

pytestmark = pytest.mark.concurrency


def _count(response):
    assert response.status_code == 200
    return int(re.search(r'data-testid="vote-count"[^>]*>\s*(\d+)', response.text).group(1))


def _vote(session, base, idea_id):
    """Vote through the page's form endpoint; the count the answer gives."""
    answered = session.post(f"{base}/ideas/{idea_id}/vote",
                            data={"vote": "1", "csrf_token": session.csrf},
                            headers={"Accept": "application/json"}, timeout=60)
    assert answered.status_code == 200
    return answered.json()["votes"]


def test_visitors_never_see_a_count_older_than_the_last_answered_vote(app, live_servers):
    with app.app_context():
        names = [fan.username for fan in make_fans([f"caster{i}" for i in range(24)])]
        idea_id = ideas.propose(make_board(), make_user(), "Cache me if you can", "b").id
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    page = f"{base}/ideas/{idea_id}"
    sessions = [http_login(base, name, PASSWORD) for name in names]
    seen = [requests.get(page, timeout=60) for _ in range(8)]
    assert {r.headers.get("X-Page-Cache") for r in seen} >= {"hit"}

    def vote_then_look(session):
        # Every read after this vote's answer must count at least this many votes.
        floor = _vote(session, base, idea_id)
        return [(floor, _count(requests.get(page, timeout=60))) for _ in range(3)]

    with ThreadPoolExecutor(max_workers=12) as pool:
        looks = [pair for pairs in pool.map(vote_then_look, sessions) for pair in pairs]
    assert all(count >= floor for floor, count in looks), looks
    final = [requests.get(page, timeout=60) for _ in range(12)]
    assert [_count(r) for r in final] == [24] * 12
    assert "hit" in {r.headers.get("X-Page-Cache") for r in final}


def _pressed(response, idea_id):
    box = re.search(rf'data-idea="{idea_id}".*?aria-pressed="(\w+)"', response.text, re.S)
    return box.group(1) == "true"


def test_signed_in_fans_share_pages_and_each_sees_their_own_vote(app, live_servers):
    """Fans' shared copy through 4 workers: after their answered vote, each fan's page
    counts at least that many votes and shows their vote pressed; a fan who has not
    voted never sees anyone else's vote as theirs."""
    with app.app_context():
        names = [fan.username for fan in make_fans([f"member{i}" for i in range(16)])]
        idea_id = ideas.propose(make_board(), make_user(), "Shared but mine", "b").id
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    page = f"{base}/ideas/{idea_id}"
    voters = [http_login(base, name, PASSWORD) for name in names[:12]]
    watchers = [http_login(base, name, PASSWORD) for name in names[12:]]
    assert "hit" in {w.get(page, timeout=60).headers.get("X-Page-Cache") for w in watchers * 2}

    def vote_then_look(session):
        floor = _vote(session, base, idea_id)
        looks = [session.get(page, timeout=60) for _ in range(3)]
        return [(floor, _count(r), _pressed(r, idea_id)) for r in looks]

    def watch(session):
        return [_pressed(session.get(page, timeout=60), idea_id) for _ in range(6)]

    with ThreadPoolExecutor(max_workers=12) as pool:
        watching = [pool.submit(watch, w) for w in watchers]
        looks = [look for looks in pool.map(vote_then_look, voters) for look in looks]
        watched = [pressed for future in watching for pressed in future.result()]
    assert all(count >= floor and pressed for floor, count, pressed in looks), looks
    assert not any(watched)
    final = [w.get(page, timeout=60) for w in watchers * 3]
    assert [_count(r) for r in final] == [12] * len(final)
    assert "hit" in {r.headers.get("X-Page-Cache") for r in final}
