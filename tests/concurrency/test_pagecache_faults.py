"""The page cache is a helper, not a dependency (issue 20): with its Redis refused while
fans vote through gunicorn, every vote answered 2xx is saved, every answer is a 2xx,
pages keep serving, and once Redis is back no page from before a vote is served."""

import contextlib
import re
import socket
import threading
import time
import uuid

import pytest
import requests
from helpers import PASSWORD, make_board, make_user
from servers import free_port, http_login
from sqlalchemy import func, select

from community.ideas import service as ideas
from community.ideas.models import Vote
from community.kernel.extensions import db

pytestmark = pytest.mark.concurrency

REDIS = ("127.0.0.1", 6379)


class Proxy:
    """A TCP proxy to Redis on a fixed port: refuse() closes the port and every open
    connection (a client then gets "connection refused"), resume() opens it again."""

    def __init__(self, target):
        self.target, self.port = target, free_port()
        self.listener, self.connections = None, []
        self.lock = threading.Lock()

    def resume(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def refuse(self):
        self.listener.close()
        with self.lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self.connections.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self.lock:
                self.connections += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def _redis_up():
    with contextlib.suppress(OSError), socket.create_connection(REDIS, timeout=0.5):
        return True
    return False


def _count(page):
    return int(re.search(r'data-testid="vote-count"[^>]*>\s*(\d+)', page.text).group(1))


def test_votes_are_saved_and_pages_served_while_redis_is_refused(app, live_servers):
    if not _redis_up():
        pytest.skip("no Redis at 127.0.0.1:6379")
    with app.app_context():
        names = [make_user(f"steady{i}").username for i in range(8)]
        board = make_board()
        idea_ids = [ideas.propose(board, make_user(), f"Idea {i}", "b").id for i in range(3)]
    proxy = Proxy(REDIS)
    proxy.resume()
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=2, env={
        "FANFORGE_CACHE_URL": f"redis://127.0.0.1:{proxy.port}/5",
        "FANFORGE_CACHE_KEY_PREFIX": f"fanforge-test:{uuid.uuid4().hex}:",
        # Counts exact, not up to the stated lag behind: what is asked here is that a
        # refused Redis never serves an old page.
        "FANFORGE_PAGE_CACHE_LIVE_SECONDS": "0"})
    fans = [http_login(base, name, PASSWORD) for name in names]
    pages = [f"{base}/ideas/{idea_id}" for idea_id in idea_ids]
    warm = [requests.get(page, timeout=30) for page in pages * 3]
    assert "hit" in {r.headers.get("X-Page-Cache") for r in warm}

    proxy.refuse()
    answers, served = [], []

    def vote(fan, idea_id):
        answers.append(fan.post(f"{base}/ideas/{idea_id}/vote",
                                data={"vote": "1", "csrf_token": fan.csrf},
                                headers={"Accept": "application/json"}, timeout=30))

    started = time.monotonic()
    for idea_id in idea_ids[:2]:
        voters = [threading.Thread(target=vote, args=(fan, idea_id)) for fan in fans]
        for thread in voters:
            thread.start()
        served += [requests.get(page, timeout=30) for page in pages for _ in range(3)]
        served += [fan.get(pages[0], timeout=30) for fan in fans[:3]]
        for thread in voters:
            thread.join()
    during = time.monotonic() - started

    assert [r.status_code for r in answers] == [200] * 16, [r.text[:200] for r in answers]
    assert {r.status_code for r in served} == {200}
    assert during < 20, during  # no request waited on Redis's retries
    with app.app_context():
        for idea_id in idea_ids[:2]:
            saved = db.session.scalar(select(func.count()).select_from(Vote)
                                      .where(Vote.idea_id == idea_id))
            assert saved == 8
    # Served while refused: rendered, never an old stored page.
    assert all(_count(r) <= 8 for r in served)

    proxy.resume()
    time.sleep(1.1)  # past the stores' retry interval
    after = [requests.get(page, timeout=30) for page in pages for _ in range(4)]
    assert [_count(r) for r in after] == [8] * 4 + [8] * 4 + [0] * 4
    again = [requests.get(pages[0], timeout=30) for _ in range(4)]
    assert "hit" in {r.headers.get("X-Page-Cache") for r in again}
    log = (live_servers.tmp_path / f"gunicorn-{base.rsplit(':', 1)[1]}.log").read_text()
    assert "Traceback" not in log
    # Once per worker and outage, not once per request.
    assert 1 <= log.count("unavailable, pages are rendered without it") <= 2, log
    proxy.refuse()
