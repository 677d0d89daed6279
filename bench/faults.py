# ruff: noqa: E402  (the sys.path fix below must run before the other imports)
"""Fault injection: what users see when the disk fills or PostgreSQL or Redis fails.

    .venv/bin/python bench/faults.py                 # every fault it can stage here
    .venv/bin/python bench/faults.py --only wal,pg-frozen --seconds 10

Reproduces issue 20's table against a gunicorn (4 workers) it starts on 127.0.0.1, with
8 clients voting through the API (each vote a new fan and idea pair, so every 200 must
be one row), and prints one row per fault: the answers by status, latencies, writes lost
(answered 2xx, no row) and writes saved though answered an error, plus what it measured
(the WAL's largest size, the slowest answer while the fault lasted, the time to the first
saved write after it ended). Faults go through tests/faultproxy.py (loopback only):

- wal: SQLite at full write load for --seconds, no fault; the WAL's largest size.
- disk-full: SQLite with max_page_count lowered in-process (SQLITE_FULL, as a full disk
  answers), then raised again: writes 507, reads 200, recovery without a restart.
- pg-frozen / pg-refused: PostgreSQL (FANFORGE_BENCH_PG_URL, default
  postgresql+psycopg://postgres@127.0.0.1:5432/postgres; a database of its own is made
  and dropped) behind the proxy, frozen or refused for --fault-seconds.
- redis-refused: SQLite, with the page cache, queue and rate limits on Redis
  (FANFORGE_BENCH_REDIS_URL, default redis://127.0.0.1:6379/9) behind the proxy, refused.
Every run is bounded: about --seconds per fault plus set-up.
"""

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))
sys.path.insert(0, str(_BENCH.parent / "tests"))

import argparse
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter

import requests
from faultproxy import FaultProxy
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url

from app import create_app
from bench.common import PASSWORD_HASH_METHOD, SECRET_KEY
from bench.servers import app_server
from community.accounts import service as accounts
from community.accounts import tokens
from community.forum import boards as forum
from community.ideas import service as ideas
from community.ideas.models import Vote
from community.kernel import database
from community.kernel.extensions import db

CLIENTS = 8
PG_URL = os.environ.get("FANFORGE_BENCH_PG_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("FANFORGE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")


def _config(url, folder):
    return {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "QUEUE_URL": "memory://",
            "PASSWORD_HASH_METHOD": PASSWORD_HASH_METHOD, "RATELIMIT_ENABLED": False,
            "CACHE_URL": f"file://{folder}/pages", "MAIL_BACKEND": "locmem"}


def _seed(app, ideas_count=600):
    """CLIENTS fans with API tokens, and ideas: {token: user id}, [idea ids]."""
    with app.app_context():
        db.create_all()
        board = forum.create_board("Faults", "faults", "Where faults are injected.")
        author = accounts.register("author", "author@example.com", "bench-pass-2026",
                                   verified=True)
        fans = {}
        for n in range(CLIENTS):
            fan = accounts.register(f"fan{n}", f"fan{n}@example.com", "bench-pass-2026",
                                    verified=True)
            fans[tokens.create_token(fan, "faults")[1]] = fan.id
        idea_ids = [ideas.propose(board, author, f"Fault idea {i:05d}", "b").id
                    for i in range(ideas_count)]
        return fans, idea_ids


class Load:
    """CLIENTS threads voting through the API, each on its own run of ideas; every
    answer as (started, finished, token, idea, status)."""

    def __init__(self, base, fans, idea_ids, read_every=4):
        self.base, self.fans, self.ideas = base, list(fans), idea_ids
        self.read_every, self.stop, self.answers = read_every, threading.Event(), []
        self.reads = []

    def _client(self, token):
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        for n, idea in enumerate(self.ideas):
            if self.stop.is_set():
                return
            if n % self.read_every == 0:
                self.reads.append(self._timed(http, "GET", f"/ideas/{idea}", token, idea))
            self.answers.append(self._timed(http, "PUT", f"/api/v1/ideas/{idea}/vote",
                                            token, idea))

    def _timed(self, http, method, path, token, idea):
        started = time.monotonic()
        try:
            status = http.request(method, self.base + path, timeout=60).status_code
        except requests.RequestException:
            status = "no answer"
        return started, time.monotonic(), token, idea, status

    def __enter__(self):
        self.threads = [threading.Thread(target=self._client, args=(t,)) for t in self.fans]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()


def _report(name, load, fans, url, window, extra=""):
    """One row: statuses in the fault's window, latencies, lost and saved-though-refused."""
    start, end = window
    inside = [a for a in load.answers if start <= a[0] < end]
    reads = [a for a in load.reads if start <= a[0] < end]
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = set(conn.execute(select(Vote.user_id, Vote.idea_id)).all())
    engine.dispose()
    lost = sum(1 for a in load.answers if a[4] == 200 and (fans[a[2]], a[3]) not in rows)
    saved_refused = sum(1 for a in load.answers
                        if a[4] != 200 and (fans[a[2]], a[3]) in rows)
    latencies = sorted(a[1] - a[0] for a in inside) or [0]
    return {"fault": name,
            "writes": ", ".join(f"{s}: {n}" for s, n in sorted(Counter(a[4] for a in inside).items(), key=str)),
            "reads": ", ".join(f"{s}: {n}" for s, n in sorted(Counter(a[4] for a in reads).items(), key=str)),
            "p50 / max s": f"{statistics.median(latencies):.2f} / {latencies[-1]:.2f}",
            "lost": lost, "saved, answered error": saved_refused, "notes": extra}


def _serve(url, folder, env=None):
    environ = dict(os.environ, FANFORGE_DATABASE_URL=url, FANFORGE_SECRET_KEY=SECRET_KEY,
                   FANFORGE_RATELIMIT_ENABLED="false", FANFORGE_QUEUE_URL="memory://",
                   FANFORGE_PASSWORD_HASH_METHOD=PASSWORD_HASH_METHOD,
                   FANFORGE_MAIL_BACKEND="locmem", FANFORGE_CACHE_URL=f"file://{folder}/pages",
                   FANFORGE_SEARCH_DIR=f"{folder}/search")
    environ.update(env or {})
    return app_server(environ, workers=4, name="faults")


def run_wal(folder, seconds, _fault_seconds):
    url = f"sqlite:///{folder}/wal.sqlite3"
    fans, idea_ids = _seed(create_app(_config(url, folder)), ideas_count=1500)
    wal, largest = Path(f"{folder}/wal.sqlite3-wal"), 0
    with _serve(url, folder) as server:
        server.start()
        with Load(server.base, fans, idea_ids, read_every=10**9) as load:
            start = time.monotonic()
            while time.monotonic() < start + seconds:
                largest = max(largest, wal.stat().st_size if wal.exists() else 0)
                time.sleep(0.1)
            end = time.monotonic()
    with create_engine(url).connect() as conn:
        check = conn.execute(text("PRAGMA integrity_check")).scalar()
    rate = sum(1 for a in load.answers if start <= a[0] < end) / seconds
    return _report("writes at full load (SQLite)", load, fans, url, (start, end),
                   f"{rate:.0f} writes/s; WAL at most {largest / 2**20:.1f} MiB (bound "
                   f"{database.WAL_SIZE_LIMIT // 2**20} MiB); integrity_check {check}")


def run_disk_full(folder, _seconds, _fault_seconds):
    """In-process (the page limit is per connection): the test client, not gunicorn."""
    url = f"sqlite:///{folder}/full.sqlite3"
    app = create_app(_config(url, folder))
    fans, idea_ids = _seed(app, ideas_count=400)
    limit = {}
    with app.app_context():
        limit["pages"] = db.session.execute(text("PRAGMA page_count")).scalar() + 2

        @event.listens_for(db.engine, "checkout")
        def _cap(dbapi_connection, _record, _proxy):
            dbapi_connection.execute(f"PRAGMA max_page_count = {limit['pages']}")

        db.engine.dispose()
    client, load = app.test_client(), Load("", fans, idea_ids)
    token = next(iter(fans))
    start = time.monotonic()
    for n, idea in enumerate(idea_ids[:200]):
        if n == 150:
            freed, limit["pages"] = time.monotonic(), 10**7
        t0 = time.monotonic()
        status = client.put(f"/api/v1/ideas/{idea}/vote",
                            headers={"Authorization": f"Bearer {token}"}).status_code
        load.answers.append((t0, time.monotonic(), token, idea, status))
        t0 = time.monotonic()
        load.reads.append((t0, time.monotonic(), token, idea,
                           client.get(f"/api/v1/ideas/{idea}").status_code))
    first_ok = min(a[1] for a in load.answers if a[0] >= freed and a[4] == 200) - freed
    return _report("disk full (SQLITE_FULL), then freed", load, fans, url,
                   (start, time.monotonic()),
                   f"first write saved {first_ok * 1000:.0f} ms after space was freed")


def _pg_database():
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"fanforge_faults_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, make_url(PG_URL).set(database=name)


def run_pg(kind):
    def run(folder, seconds, fault_seconds):
        admin, name, url = _pg_database()
        try:
            fans, idea_ids = _seed(create_app(_config(url.render_as_string(False), folder)))
            with FaultProxy(url.port or 5432) as proxy:
                through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
                with _serve(through, folder) as server:
                    server.start()
                    with Load(server.base, fans, idea_ids) as load:
                        time.sleep(max(1.0, (seconds - fault_seconds) / 2))
                        start = time.monotonic()
                        proxy.freeze() if kind == "frozen" else proxy.refuse()
                        time.sleep(fault_seconds)
                        end = time.monotonic()
                        proxy.passing()
                        time.sleep(max(2.0, (seconds - fault_seconds) / 2))
            ok_after = [a[1] for a in load.answers if a[0] >= end and a[4] == 200]
            back = f"first write saved {min(ok_after) - end:.2f} s after" if ok_after else "no write after"
            return _report(f"PostgreSQL {kind} {fault_seconds:.0f} s", load, fans,
                           url.render_as_string(False), (start, end), back)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return run


def run_redis_refused(folder, seconds, fault_seconds):
    url = f"sqlite:///{folder}/redis.sqlite3"
    fans, idea_ids = _seed(create_app(_config(url, folder)))
    target = make_url(REDIS_URL.replace("redis://", "postgresql://", 1))
    with FaultProxy(target.port or 6379) as proxy:
        redis = f"redis://127.0.0.1:{proxy.port}/{target.database or 0}"
        env = {"FANFORGE_CACHE_URL": redis, "FANFORGE_QUEUE_URL": redis,
               "FANFORGE_RATELIMIT_STORAGE_URI": redis}
        with _serve(url, folder, env) as server:
            server.start()
            with Load(server.base, fans, idea_ids) as load:
                time.sleep(max(1.0, (seconds - fault_seconds) / 2))
                start = time.monotonic()
                proxy.refuse()
                time.sleep(fault_seconds)
                end = time.monotonic()
                proxy.passing()
                time.sleep(max(2.0, (seconds - fault_seconds) / 2))
    return _report(f"Redis refused {fault_seconds:.0f} s (cache, queue, limits)", load, fans,
                   url, (start, end))


FAULTS = {"wal": run_wal, "disk-full": run_disk_full, "pg-frozen": run_pg("frozen"),
          "pg-refused": run_pg("refused"), "redis-refused": run_redis_refused}


def _table(rows):
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    lines = ["| " + " | ".join(c.ljust(widths[c]) for c in columns) + " |",
             "|" + "|".join("-" * (widths[c] + 2) for c in columns) + "|"]
    lines += ["| " + " | ".join(str(r[c]).ljust(widths[c]) for c in columns) + " |"
              for r in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(FAULTS),
                        help="comma-separated faults: " + ", ".join(FAULTS))
    parser.add_argument("--seconds", type=float, default=20,
                        help="length of each run (the wal run's load; others around the fault)")
    parser.add_argument("--fault-seconds", type=float, default=10)
    args = parser.parse_args()
    rows = []
    for name in args.only.split(","):
        with tempfile.TemporaryDirectory(prefix="fanforge-faults-") as folder:
            print(f"{name} ...", file=sys.stderr, flush=True)
            try:
                rows.append(FAULTS[name](folder, args.seconds, args.fault_seconds))
            except Exception as error:  # one fault that cannot be staged here is a row
                rows.append({"fault": name, "writes": "", "reads": "", "p50 / max s": "",
                             "lost": "", "saved, answered error": "",
                             "notes": f"not run: {type(error).__name__}: {error}"[:160]})
    print(_table(rows))


if __name__ == "__main__":
    main()
