"""Votes under concurrent requests through gunicorn with 4 workers, on SQLite and PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from crowds import make_fans
from helpers import PASSWORD, make_board, make_user
from servers import http_login
from sqlalchemy import func, select

from community.ideas import service as ideas
from community.ideas.models import Idea, Vote
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.rounds import service as rounds

pytestmark = pytest.mark.concurrency


def _run_all(calls, workers=25):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: call(), calls))


def _vote(session, base, idea_id, vote="1"):
    return session.post(f"{base}/ideas/{idea_id}/vote", data={"vote": vote, "csrf_token": session.csrf},
                        headers={"Accept": "application/json"}, timeout=60)


def test_100_users_vote_at_once(app, live_servers):
    with app.app_context():
        names = [fan.username for fan in make_fans([f"voter{i}" for i in range(100)])]
        idea_id = ideas.propose(make_board(), make_user(), "Vote for me at once", "b").id
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    sessions = _run_all([lambda n=n: http_login(base, n, PASSWORD) for n in names], workers=10)
    responses = _run_all([lambda s=s: _vote(s, base, idea_id) for s in sessions], workers=100)
    assert [r.status_code for r in responses] == [200] * 100
    with app.app_context():
        assert db.session.get(Idea, idea_id).votes == 100
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 100


def test_one_user_toggling_50_times_at_once_keeps_count_equal_to_rows(app, live_servers):
    with app.app_context():
        make_user("toggler")
        idea_id = ideas.propose(make_board(), make_user(), "Toggle me at once", "b").id
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    session = http_login(base, "toggler", PASSWORD)
    responses = _run_all([lambda i=i: _vote(session, base, idea_id, "1" if i % 2 else "0")
                          for i in range(50)], workers=50)
    assert {r.status_code for r in responses} == {200}
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(Vote).where(Vote.idea_id == idea_id))
        assert db.session.get(Idea, idea_id).votes == rows
        assert rows in (0, 1)


def test_round_budget_holds_under_concurrent_votes(app, live_servers):
    with app.app_context():
        board, staff = make_board(), make_user(role="staff")
        make_user("spender")
        now = utcnow()
        round_ = rounds.create_round(board, staff, "Budget round", "", now - timedelta(hours=1),
                                     now + timedelta(days=1), vote_budget=3)
        idea_ids = [ideas.propose(board, staff, f"Budget idea {i:02d}", "b", round_id=round_.id).id
                    for i in range(12)]
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    session = http_login(base, "spender", PASSWORD)
    responses = _run_all([lambda i=i: _vote(session, base, i) for i in idea_ids], workers=12)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 3 + [409] * 9
    assert all(r.json()["error"]["code"] == "budget_exhausted" for r in responses if r.status_code == 409)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 3
        assert db.session.scalar(select(func.sum(Idea.votes))) == 3
