"""Nothing is lost on the way to the index: concurrent writers through gunicorn with 4
workers (whoosh on SQLite, full-text search on PostgreSQL), and a whoosh drain killed
half-way, on SQLite and PostgreSQL."""

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from crowds import make_fans
from helpers import PASSWORD, indexed_search_keys, make_board, make_user
from servers import ROOT, Zygote, http_login
from sqlalchemy import func, insert, select

from community import search
from community.forum.models import Post, Thread
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.search import backends
from community.search.index import get_index
from community.search.models import SearchOutbox
from community.search.outbox import enqueue_select

pytestmark = pytest.mark.concurrency


def _run_all(calls, workers=20):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: call(), calls))


def _outbox_rows():
    return db.session.scalar(select(func.count()).select_from(SearchOutbox))


def _indexed(kind):
    return {int(key.split(":")[1]) for key in indexed_search_keys()
            if key.startswith(kind + ":")}


def test_200_threads_made_at_once_through_4_workers_are_all_findable(app, live_servers):
    with app.app_context():
        slug = make_board().slug
        names = [fan.username for fan in make_fans([f"writer{i}" for i in range(20)])]
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    sessions = _run_all([lambda n=n: http_login(base, n, PASSWORD) for n in names], workers=10)

    def post(session, i):
        return session.post(f"{base}/b/{slug}/new", allow_redirects=False, timeout=60, data={
            "title": f"Concurrent topic zq{i:03d}x", "body": f"电池续航 body of zq{i:03d}x",
            "csrf_token": session.csrf})

    responses = _run_all([lambda i=i: post(sessions[i % 20], i) for i in range(200)], workers=40)
    assert [r.status_code for r in responses] == [302] * 200
    with app.app_context():
        # Each worker drains after its own request; workers that found the lock taken left
        # their rows for the holder, which looks again after releasing it.
        left = _outbox_rows()
        assert left < 200
        # The final drain waits for a worker still draining, then applies what is left.
        search.drain(wait=30)
        assert _outbox_rows() == 0
        ids = set(db.session.scalars(select(Thread.id)))
        assert len(ids) == 200 and _indexed("thread") == ids
        if not backends.postgresql():
            with get_index().reading() as searcher:
                # Each row applied once: a drain deletes its rows before releasing the lock.
                assert searcher.doc_count_all() == 200
        with app.test_request_context():
            # Every document is counted below; its title is in the same document, so a
            # spread of titles shows titles went in (each search looks for spellings too,
            # ~40 ms of CPU among 200 near-alike words: all 200 were 8 s a database).
            for i in range(0, 200, 8):
                hits = search.search(f"zq{i:03d}x").items
                assert [h.kind for h in hits] == ["thread"], i
            # Sorted by date every match is counted (ranked, the total is an estimate).
            found = search.search("续航", sort="date")
            assert (found.total, found.total_exact) == (200, True)


def _bulk_threads(n):
    """n threads with opening posts in one transaction, each with an outbox row."""
    board, author, now = make_board(), make_user(), utcnow()
    with transaction():
        ids = db.session.scalars(insert(Thread).returning(Thread.id), [
            {"board_id": board.id, "author_id": author.id, "title": f"Bulk topic kb{i:04d}y",
             "created_at": now, "last_post_at": now} for i in range(n)]).all()
        db.session.execute(insert(Post), [
            {"thread_id": tid, "author_id": author.id, "position": 0, "created_at": now,
             "body": f"蓝牙连接 keeps dropping, post {tid}",
             "body_html": f"<p>蓝牙连接 keeps dropping, post {tid}</p>"} for tid in ids])
        enqueue_select("thread", select(Thread.id))
    return set(ids)


def test_a_drain_killed_midway_loses_nothing(app, tmp_path):
    app.config["SEARCH_BACKEND"] = "whoosh"  # the outbox feeds whoosh alone
    n = 1500
    with app.app_context():
        ids = _bulk_threads(n)
        assert _outbox_rows() == n
    env = dict(os.environ, FANFORGE_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               FANFORGE_SECRET_KEY="kill-test",
               FANFORGE_SEARCH_BACKEND="whoosh")
    log = tmp_path / "drain.log"
    drain = Zygote.spawn(["--app", "app", "search", "drain", "--batch", "25"], env, ROOT, log,
                         program="flask")
    try:
        deadline = time.monotonic() + 120
        with app.app_context():
            while (left := _outbox_rows()) > n - 200:  # a few batches in, then...
                assert drain.poll() is None, log.read_text()[-2000:]
                assert time.monotonic() < deadline
                time.sleep(0.02)
                db.session.rollback()
        os.kill(drain.pid, signal.SIGKILL)  # ...mid-drain, as a crashed worker would
    finally:
        drain.kill()
        drain.wait()
    assert drain.returncode == -signal.SIGKILL
    with app.app_context():
        left = _outbox_rows()
        assert 0 < left < n  # killed half-way
        assert search.drain() == left
        assert _outbox_rows() == 0
        assert _indexed("thread") == ids
        with app.test_request_context():
            assert search.search("kb0000y").items[0].id == min(ids)
            found = search.search("蓝牙连接 dropping", sort="date")
            assert (found.total, found.total_exact) == (n, True)
