"""Concurrent writes through a real gunicorn with 4 workers, on SQLite and PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from crowds import make_fans
from helpers import PASSWORD, make_thread
from servers import http_login
from sqlalchemy import func, select

from community.forum.models import Board, Post, PostLike, Thread
from community.kernel.extensions import db

pytestmark = pytest.mark.concurrency


def _run_all(calls, workers=20):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: call(), calls))


@pytest.fixture
def world(app, live_servers):
    with app.app_context():
        users = [fan.username for fan in make_fans([f"racer{i}" for i in range(30)])]
        thread = make_thread(title="Race track")
        ids = {"thread": thread.id, "board": thread.board_id,
               "post": db.session.scalar(select(Post.id).where(Post.thread_id == thread.id))}
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    sessions = _run_all([lambda u=u: http_login(base, u, PASSWORD) for u in users], workers=10)
    return base, sessions, ids


def test_concurrent_replies_get_unique_positions_and_exact_counters(app, world):
    base, sessions, ids = world
    url = f"{base}/t/{ids['thread']}/reply"
    responses = _run_all([
        lambda s=s, i=i: s.post(url, data={"body": f"reply {i}", "csrf_token": s.csrf},
                                allow_redirects=False, timeout=30)
        for i, s in enumerate(sessions)
    ])
    assert [r.status_code for r in responses] == [302] * len(sessions)
    with app.app_context():
        positions = db.session.scalars(select(Post.position).where(Post.thread_id == ids["thread"])).all()
        assert sorted(positions) == list(range(len(sessions) + 1))
        assert db.session.get(Thread, ids["thread"]).reply_count == len(sessions)
        assert db.session.get(Board, ids["board"]).post_count == len(sessions) + 1


def test_concurrent_likes_and_double_submits(app, world):
    base, sessions, ids = world
    like = f"{base}/p/{ids['post']}/like"
    responses = _run_all([
        lambda s=s: s.post(like, data={"liked": "1", "csrf_token": s.csrf}, allow_redirects=False,
                           timeout=30)
        for s in sessions for _ in range(2)  # every fan clicks twice
    ])
    assert {r.status_code for r in responses} == {302}
    # One fan sends the same reply form ten times at once.
    fan = sessions[0]
    url = f"{base}/t/{ids['thread']}/reply"
    responses = _run_all([
        lambda: fan.post(url, data={"body": "once", "submit_token": "same-token",
                                    "csrf_token": fan.csrf}, allow_redirects=False, timeout=30)
        for _ in range(10)
    ])
    assert {r.status_code for r in responses} == {302}
    with app.app_context():
        likes = db.session.scalar(select(func.count()).select_from(PostLike))
        assert likes == len(sessions)
        assert db.session.get(Post, ids["post"]).like_count == len(sessions)
        assert db.session.scalar(select(func.count(Post.id)).where(Post.body == "once")) == 1
