"""Rate-limit counters in an SQLite file, so every worker of a host shares one budget.

The `limits` library (under Flask-Limiter) keeps counters in memory by default, one set
per worker process: with two workers a limit of 10 let 20 tries through. This storage
registers the scheme `sqlite:///<path>` with `limits` (a subclass of its Storage is
registered by its STORAGE_SCHEME) and keeps fixed-window counters in one small table;
each hit is one upsert, atomic under SQLite's write lock whichever worker sends it.
Several hosts share limits through Redis instead (FANFORGE_RATELIMIT_STORAGE_URI).
"""

import os
import sqlite3
import threading
import time

from limits.storage import Storage

_SCHEMA = ("CREATE TABLE IF NOT EXISTS counters "
           "(key TEXT PRIMARY KEY, hits INTEGER NOT NULL, expires REAL NOT NULL)")
# A window that has run out starts again at `amount`; one statement, so two workers
# racing on a key never both start it.
_INCR = """
INSERT INTO counters (key, hits, expires) VALUES (:key, :amount, :expires)
ON CONFLICT (key) DO UPDATE SET
  hits = CASE WHEN expires <= :now THEN :amount ELSE hits + :amount END,
  expires = CASE WHEN expires <= :now THEN :expires ELSE expires END
RETURNING hits
"""
# Now and then a hit also drops run-out windows, so the file stays small.
_SWEEP_EVERY = 500


class SQLiteStorage(Storage):
    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri, wrap_exceptions=False, timeout=1.0, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        # As SQLAlchemy spells it: sqlite:///relative/path, sqlite:////absolute/path.
        self.path = uri.split("://", 1)[1][1:]
        self.timeout = float(timeout)
        self._local = threading.local()
        self._hits = 0

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _connection(self):
        """One connection per thread and process: gunicorn forks after --preload made
        the app, and a connection must never cross a fork."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            connection = sqlite3.connect(self.path, timeout=self.timeout,
                                         isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # counters, not ledgers
            connection.execute(_SCHEMA)
            local.connection, local.pid = connection, os.getpid()
        return local.connection

    def incr(self, key, expiry, amount=1):
        now = time.time()
        connection = self._connection()
        hits = connection.execute(_INCR, {"key": key, "amount": amount, "now": now,
                                          "expires": now + expiry}).fetchone()[0]
        self._hits += 1
        if self._hits % _SWEEP_EVERY == 0:
            connection.execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return hits

    def get(self, key):
        row = self._connection().execute(
            "SELECT hits FROM counters WHERE key = ? AND expires > ?", (key, time.time())
        ).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key):
        row = self._connection().execute(
            "SELECT expires FROM counters WHERE key = ? AND expires > ?", (key, time.time())
        ).fetchone()
        return row[0] if row else time.time()

    def check(self):
        try:
            self._connection().execute("SELECT 1 FROM counters LIMIT 1").fetchall()
        except sqlite3.Error:
            return False
        return True

    def reset(self):
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key):
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
