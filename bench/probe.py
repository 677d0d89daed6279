"""In-process looks at a page on a seeded database: SQL statements per request, the
slowest statements with their query plans, and signing in over HTTP for the load.

Counting statements in-process (Flask's test client) gives the "queries" column of
bench/http.py; `explain` backs a finding with the database's own plan.
"""

import re
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import event, text

from .common import PASSWORD, make_app

# The query-count tests' counter (tests/querycount.py) counts at the driver, where
# community/kernel/compiled.py's prebuilt SELECTs run out of sight of SQLAlchemy's events.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import querycount  # noqa: E402


@contextmanager
def recording(engine):
    """[(statement, parameters, seconds)] of everything executed meanwhile."""
    found, started = [], {}

    def before(conn, cursor, statement, parameters, context, executemany):
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        found.append((statement, parameters, time.perf_counter() - started.pop(id(cursor), 0)))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


class InProcess:
    """The app on the bench database with a signed-in test client (CSRF off)."""

    def __init__(self, url, username):
        from community.kernel.extensions import db

        querycount.install()  # before the app's first connection
        self.app = make_app(url, WTF_CSRF_ENABLED=False, SEARCH_DRAIN_AFTER_REQUEST=False)
        self.db = db
        self.client = self.app.test_client()
        answer = self.client.post("/login", data={"login": username, "password": PASSWORD})
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in as {username} failed ({answer.status_code})")
        with self.app.app_context():
            self.engine = db.engine

    def request(self, path, method="GET", body=None, headers=None):
        return self.client.open(path, method=method, data=body, headers=headers or {})

    def lock_hold(self, requests):
        """For each write transaction: (ms from BEGIN IMMEDIATE to COMMIT, statements in it).

        SQLite has one write lock, held that long, so 1000 / ms bounds writes per second
        however many workers there are.
        """
        holds, state = [], {"began": None, "n": 0}

        def before(conn, cursor, statement, parameters, context, executemany):
            if statement.startswith("BEGIN IMMEDIATE"):
                state["began"], state["n"] = time.perf_counter(), 0
            elif state["began"] is not None:
                state["n"] += 1

        def on_commit(conn):
            if state["began"] is not None:
                holds.append((1000 * (time.perf_counter() - state["began"]), state["n"]))
                state["began"] = None

        event.listen(self.engine, "before_cursor_execute", before)
        event.listen(self.engine, "commit", on_commit)
        try:
            statuses = [self.request(path, method, body, headers).status_code
                        for method, path, body, headers in requests]
        finally:
            event.remove(self.engine, "before_cursor_execute", before)
            event.remove(self.engine, "commit", on_commit)
        return holds, statuses

    def measure(self, path, repeat=5):
        """(status, statements per request, median ms) after one warm-up request."""
        self.client.get(path)
        with querycount.counting() as statements:
            status = self.client.get(path).status_code
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            self.client.get(path)
            times.append(1000 * (time.perf_counter() - start))
        return status, len(statements), statistics.median(times)

    def slowest(self, path, top=5):
        """The request's slowest statements: [(ms, sql, params)]."""
        self.client.get(path)
        with recording(self.engine) as statements:
            self.client.get(path)
        ranked = sorted(statements, key=lambda s: -s[2])[:top]
        return [(1000 * seconds, sql, params) for sql, params, seconds in ranked]

    def explain(self, sql, params):
        """The database's plan for one recorded statement."""
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
                return "\n".join(f"{'  ' * _depth(rows, r)}{r[3]}" for r in rows)
            return "\n".join(r[0] for r in conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + sql, params).all())


def _depth(rows, row):
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth, parent = depth + 1, parents[parent]
    return depth


def username_of(url, user_id):
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect() as conn:
        name = conn.execute(text("SELECT username FROM users WHERE id = :i"), {"i": user_id}).scalar()
    engine.dispose()
    return name


def csrf_token(html):
    """A member's page has it for scripts, the sign-in page in its form; a visitor's
    stored page has none (None)."""
    found = (re.search(r'name="csrf-token" content="([^"]+)"', html)
             or re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html))
    return found.group(1) if found else None


# Every replay of a signed-in session sends this browser name: Flask-Login's session
# protection marks a session whose agent changed as not fresh (a Set-Cookie on every
# answer, which a real browser, always sending its own name, never gets).
USER_AGENT = "fanforge-bench"


def signed_in_headers(base, username):
    """Sign in through the real form; the Cookie and User-Agent headers a load tool can
    replay.

    A page is fetched after signing in so the session already holds its CSRF token:
    replayed requests then never change the session (no Set-Cookie per answer).
    """
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    token = csrf_token(session.get(base + "/login", timeout=30).text)
    answer = session.post(base + "/login", data={"login": username, "password": PASSWORD,
                                                  "csrf_token": token},
                          timeout=30, allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in as {username} failed: {answer.status_code}")
    session.get(base + "/", timeout=30)
    return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in session.cookies),
            "User-Agent": USER_AGENT}
