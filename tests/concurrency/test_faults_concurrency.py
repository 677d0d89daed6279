"""Faults under write load, against gunicorn with 4 workers (issue 20).

- SQLite: votes at full rate for FANFORGE_FAULT_SECONDS (15 s by default; the issue's
  table used 60 s, at which the old WAL reached 1.3 GB: `FANFORGE_FAULT_SECONDS=60` runs
  that) keep the WAL under database.WAL_SIZE_LIMIT, and the file passes integrity_check.
- PostgreSQL behind tests/faultproxy.py: frozen, requests answer 503 within the stated
  deadline and writes resume within a second of it coming back; refused, 503 with
  Retry-After at once. Nothing answered 2xx is lost or doubled.
"""

import os
import threading
import time
from pathlib import Path

import pytest
import requests
from faultproxy import FaultProxy
from helpers import build_app, make_board, make_user
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from community.accounts import tokens
from community.ideas import service as ideas
from community.ideas.models import Idea, Vote
from community.kernel import database
from community.kernel.database import transaction
from community.kernel.extensions import db

pytestmark = pytest.mark.concurrency
PG_URL = os.environ.get("FANFORGE_TEST_DATABASE_URL")
SECONDS = float(os.environ.get("FANFORGE_FAULT_SECONDS", "15"))
CLIENTS = 8
# What a web request waits at most on a frozen PostgreSQL: the checkout's SET is cut
# after the connect timeout (2 s), a reconnect waits 2 s more; a statement already under
# way is cut 1 s after its 5 s statement timeout. Plus the client's own scheduling.
FROZEN_DEADLINE = 5 + 1 + 2 + 1.5


def _people(n_fans, n_ideas):
    board, author = make_board(), make_user()
    fans = [make_user() for _ in range(n_fans)]
    fan_tokens = {tokens.create_token(fan, "load")[1]: fan.id for fan in fans}
    # Ideas to vote on, not the subject: made in one transaction (propose() commits each,
    # 17 s for 400 on PostgreSQL).
    with transaction():
        made = [ideas.add_idea(board.id, author, f"Idea under faults {i:03d}", "b")
                for i in range(n_ideas)]
    return fan_tokens, [idea.id for idea in made]


class Voters:
    """CLIENTS threads, each a fan: PUT a vote on the next idea (toggle=True: then
    DELETE it), recording (started, finished, method, idea, status, body)."""

    def __init__(self, base, fan_tokens, idea_ids, toggle=False):
        self.base, self.tokens, self.ideas, self.toggle = base, fan_tokens, idea_ids, toggle
        self.stop = threading.Event()
        self.answers = []
        self.lock = threading.Lock()

    def _run(self, token):
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        n = 0
        while not self.stop.is_set():
            idea = self.ideas[n % len(self.ideas)] if self.toggle else self.ideas[n]
            method = "DELETE" if self.toggle and (n // len(self.ideas)) % 2 else "PUT"
            n += 1
            if not self.toggle and n >= len(self.ideas):
                return
            started = time.monotonic()
            try:
                answer = http.request(method, f"{self.base}/api/v1/ideas/{idea}/vote", timeout=30)
                status, body = answer.status_code, answer
            except requests.RequestException as error:
                status, body = None, error
            with self.lock:
                self.answers.append((started, time.monotonic(), method, token, idea, status, body))

    def start(self):
        self.threads = [threading.Thread(target=self._run, args=(token,))
                        for token in self.tokens]
        for thread in self.threads:
            thread.start()
        return self

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join()
        return self.answers


def test_the_sqlite_wal_stays_bounded_under_full_write_load(sqlite_app, live_servers):
    with sqlite_app.app_context():
        fan_tokens, idea_ids = _people(16, 20)
    path = Path(make_url(sqlite_app.config["SQLALCHEMY_DATABASE_URI"]).database)
    base = live_servers.start(sqlite_app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    voters = Voters(base, fan_tokens, idea_ids, toggle=True).start()
    largest, deadline = 0, time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        wal = path.with_name(path.name + "-wal")
        largest = max(largest, wal.stat().st_size if wal.exists() else 0)
        time.sleep(0.1)
    answers = voters.finish()
    statuses = [a[5] for a in answers]
    rate = len(answers) / SECONDS
    print(f"{len(answers)} writes in {SECONDS:.0f} s ({rate:.0f}/s), WAL at most "
          f"{largest / 2**20:.1f} MiB, database {path.stat().st_size / 2**20:.1f} MiB")
    assert set(statuses) == {200}, {s for s in statuses if s != 200}
    assert rate > 20  # a load, not a trickle (the old WAL reached 67 MiB in 25 s at 44/s here,
    # past the limit within 15 s)
    assert largest < database.WAL_SIZE_LIMIT, largest
    with sqlite_app.app_context():
        assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        for idea_id in idea_ids:
            rows = db.session.scalar(select(func.count()).select_from(Vote)
                                     .where(Vote.idea_id == idea_id))
            assert db.session.get(Idea, idea_id).votes == rows


@pytest.fixture
def pg_app(request, tmp_path):
    if not PG_URL:
        pytest.skip("FANFORGE_TEST_DATABASE_URL is not set")
    url = request.getfixturevalue("pg_database")
    app = build_app(url, tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()
        db.engine.dispose()


def _through(proxy, app):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


def _check_saved(app, fan_tokens, answers):
    """Every vote answered 2xx is a row (one per fan and idea: a constraint); every
    idea's counter equals its rows. Returns the number of rows."""
    voted = {(fan_tokens[a[3]], a[4]) for a in answers if a[5] == 200}
    with app.app_context():
        rows = set(db.session.execute(select(Vote.user_id, Vote.idea_id)).all())
        assert voted <= rows, voted - rows
        for idea in db.session.scalars(select(Idea)):
            assert idea.votes == sum(1 for _user, idea_id in rows if idea_id == idea.id)
        return len(rows)


def _votes_through(pg_app, live_servers, fault, before, lasting, after):
    """Fans vote through gunicorn (4 workers) on a database behind a FaultProxy; `fault`
    (the proxy's freeze or refuse) strikes after `before` seconds for `lasting`, then
    `after` seconds of passing. Returns (fan tokens, answers, fault at, back at, log)."""
    with pg_app.app_context():
        fan_tokens, idea_ids = _people(CLIENTS, 400)
    db_port = make_url(pg_app.config["SQLALCHEMY_DATABASE_URI"]).port or 5432
    with FaultProxy(db_port) as proxy:
        base = live_servers.start(_through(proxy, pg_app), workers=4)
        voters = Voters(base, fan_tokens, idea_ids).start()
        time.sleep(before)
        fault_at = time.monotonic()
        fault(proxy)
        time.sleep(lasting)
        back_at = time.monotonic()
        proxy.passing()
        time.sleep(after)
        answers = voters.finish()
        log = live_servers.log_text(int(base.rsplit(":", 1)[1]))
    return fan_tokens, answers, fault_at, back_at, log


def test_postgresql_frozen_answers_503_in_time_and_resumes(pg_app, live_servers):
    fan_tokens, answers, frozen_at, thawed_at, log = _votes_through(
        pg_app, live_servers, FaultProxy.freeze, before=2, lasting=10, after=4)
    # Every request sent while frozen (or in flight as it froze) answered within the
    # deadline; those answered before the thaw said 503 "unavailable" with Retry-After.
    around = [a for a in answers if frozen_at - 1 <= a[0] < thawed_at]
    slowest = max(a[1] - a[0] for a in around)
    assert slowest <= FROZEN_DEADLINE, slowest
    # Answered while frozen: with every worker busy, a request sent during the freeze
    # may wait in gunicorn's queue past the thaw, so judge the answers that came in it.
    during = [a for a in around if frozen_at + 0.5 <= a[1] < thawed_at]
    assert during, "no request was answered while frozen"
    assert {a[5] for a in during} == {503}, {a[5] for a in during}
    assert all(a[6].headers.get("Retry-After") == "5" and
               a[6].json()["error"]["code"] == "unavailable" for a in during)
    print(f"frozen: {len(during)} answered 503, slowest {slowest:.1f} s")
    after = [a for a in answers if a[0] >= thawed_at]
    first_ok = min(a[1] for a in after if a[5] == 200)
    assert first_ok - thawed_at <= 1.0, first_ok - thawed_at
    print(f"first write saved {first_ok - thawed_at:.2f} s after the thaw")
    late = [a for a in after if a[0] >= thawed_at + 1.0]
    assert late and {a[5] for a in late} == {200}, {a[5] for a in late}
    rows = _check_saved(pg_app, fan_tokens, answers)
    ok = sum(1 for a in answers if a[5] == 200)
    assert ok <= rows <= ok + sum(1 for a in answers if a[5] != 200)
    assert "Traceback" not in log, log[-3000:]


def test_postgresql_refused_answers_503_quickly(pg_app, live_servers):
    fan_tokens, answers, refused_at, back_at, _log = _votes_through(
        pg_app, live_servers, FaultProxy.refuse, before=1.5, lasting=3, after=2)
    during = [a for a in answers if refused_at + 0.2 <= a[0] and a[1] < back_at]
    assert during and {a[5] for a in during} == {503}, {a[5] for a in during}
    assert all(a[6].headers["Retry-After"] == "5" for a in during)
    # A refused connection fails at once; the bound leaves room for a loaded 2-core CI.
    assert max(a[1] - a[0] for a in during) < 1.5
    late = [a for a in answers if a[0] >= back_at + 1.0]
    assert late and {a[5] for a in late} == {200}
    _check_saved(pg_app, fan_tokens, answers)
