"""Pages in a SQLite file: the embedded default, shared by every worker of a host."""

import contextlib
import itertools
import json
import os
import sqlite3
import threading
import time

from .base import Found, PageStore, _drawn, _header


class PageSQLite(PageStore):
    """The embedded default: tables in a SQLite file that every worker of this host opens
    (WAL: readers never wait), and the generation in a 16-byte file beside it, read and
    written with one system call each (pread, pwrite). A read that meets a write half
    done gets a token nobody stores pages under: a miss, never a stale page.

    The keys' versions and the write sequence number live in a second file beside it
    (`.versions`, attached to the pages' connection as `v`), with the small pages a bump
    writes: every commit of the site bumps, and a bump in the pages' 64 KB pages wrote
    and checksummed three of them into the log (0.28 ms of CPU a commit, 0.06 ms here).
    A bump locks that file alone, never the pages. A versions file that is new (lost, or
    a first start) empties the pages kept beside it: their versions are gone.

    A page is read with the newest versions of its keys in one statement, and stored only
    if none moved past its sequence number in one statement too. Expired pages are
    purged every PURGE_EVERY pages stored by a process, and the oldest beyond
    `threshold`; versions older than any page still kept, every PURGE_EVERY bumps."""

    failures = (sqlite3.Error, OSError, ValueError)
    PURGE_EVERY = 64
    TIMEOUT_MS = 250
    BUMP_TIMEOUT_MS = 5000
    SCHEMA_VERSION = 3
    PAGES = ("CREATE TABLE IF NOT EXISTS main.pages (key TEXT PRIMARY KEY, body BLOB NOT NULL, "
             "header TEXT NOT NULL, expires REAL NOT NULL)",)
    VERSIONS = (
        "CREATE TABLE IF NOT EXISTS v.versions (key TEXT PRIMARY KEY, seq INTEGER NOT NULL, "
        "live INTEGER NOT NULL, at REAL NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS v.counter (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "seq INTEGER NOT NULL)",
        "INSERT OR IGNORE INTO v.counter VALUES (1, 0)",
    )
    _MOVED = ("SELECT coalesce(max(seq), 0) FROM v.versions WHERE key IN "
              "(SELECT value FROM json_each({deps}))")
    # bandit B608, reviewed: constant SQL put together from constants.
    _GET = ("SELECT body, header, ({moved}), (SELECT coalesce(max(live), 0) FROM v.versions "  # nosec B608
            "WHERE key IN (SELECT value FROM json_each(header, '$.d'))) FROM pages "
            "WHERE key = ? AND expires > ?").format(moved=_MOVED.format(deps="header, '$.d'"))
    _SET = ("INSERT OR REPLACE INTO pages SELECT ?, ?, ?, ? WHERE ({moved}) <= ?"
            ).format(moved=_MOVED.format(deps="?"))
    _BUMP = ("INSERT INTO versions VALUES (?, ?, 0, ?) "
             "ON CONFLICT (key) DO UPDATE SET seq = excluded.seq, at = excluded.at")
    _BUMP_LIVE = ("INSERT INTO versions VALUES (?, 0, ?, ?) "
                  "ON CONFLICT (key) DO UPDATE SET live = excluded.live, at = excluded.at")

    def __init__(self, path, ttl, threshold=2000):
        super().__init__(ttl)
        self.path = path
        self.versions_path = path + ".versions"
        self.threshold = threshold
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        self.generation_fd = os.open(path + ".generation",
                                     os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        self._local = threading.local()  # connections per thread of each process
        self._stored = itertools.count(1)

    def _db(self):
        """The pages' connection, the versions attached as `v`."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # a new thread, or a forked worker
            connection = sqlite3.connect(self.path, timeout=self.TIMEOUT_MS / 1000,
                                         isolation_level=None)
            # A page is tens of KB: 64 KB pages hold most in one, and a hit maps the file
            # instead of copying each overflow page through read() (a hit's read cost
            # ~35 us with the defaults, against ~15 us for the old one-file-per-page store).
            connection.execute("PRAGMA page_size=65536")  # takes effect on a new file
            connection.execute("PRAGMA mmap_size=268435456")
            connection.execute("ATTACH DATABASE ? AS v", (self.versions_path,))
            connection.execute("PRAGMA v.page_size=4096")
            for schema in ("main", "v"):
                connection.execute(f"PRAGMA {schema}.journal_mode=WAL")
                # A cache: a lost tail is misses.
                connection.execute(f"PRAGMA {schema}.synchronous=NORMAL")
                connection.execute(f"PRAGMA {schema}.journal_size_limit=16777216")
            self._schema(connection)
            local.connection, local.versions, local.pid = connection, None, os.getpid()
        return local.connection

    def _versions_db(self):
        """The versions file alone: a bump locks it, not the pages."""
        self._db()
        local = self._local
        if local.versions is None:
            # A page not stored for a busy lock is one miss; a bump lost for one is a new
            # generation (every page gone): a bump waits its turn.
            connection = sqlite3.connect(self.versions_path,
                                         timeout=self.BUMP_TIMEOUT_MS / 1000,
                                         isolation_level=None)
            connection.execute("PRAGMA synchronous=NORMAL")
            local.versions = connection
        return local.versions

    def _schema(self, connection):
        if self._layout(connection) == (self.SCHEMA_VERSION, self.SCHEMA_VERSION):
            return
        connection.execute("BEGIN IMMEDIATE")
        try:
            pages, versions = self._layout(connection)
            if pages != self.SCHEMA_VERSION:  # an older layout: misses
                for table in ("pages", "versions", "counter"):
                    connection.execute(f"DROP TABLE IF EXISTS main.{table}")
                for statement in self.PAGES:
                    connection.execute(statement)
                connection.execute(f"PRAGMA main.user_version={self.SCHEMA_VERSION}")
            if versions != self.SCHEMA_VERSION:
                for statement in self.VERSIONS:
                    connection.execute(statement)
                connection.execute("DELETE FROM main.pages")  # their versions are gone
                connection.execute(f"PRAGMA v.user_version={self.SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    @staticmethod
    def _layout(connection):
        return tuple(connection.execute(f"PRAGMA {schema}.user_version").fetchone()[0]
                     for schema in ("main", "v"))

    def _get(self, key):
        row = self._db().execute(self._GET, (key, time.time())).fetchone()
        if row is None:
            return None
        header = json.loads(row[1])
        return Found(row[0], header["a"], _drawn(header), row[2], row[3])

    def _set(self, key, body, actions, drawn):
        db = self._db()
        stored = db.execute(self._SET, (key, body, _header(actions, drawn),
                                        time.time() + self.ttl, json.dumps(list(drawn.deps)),
                                        drawn.seq)).rowcount > 0
        if next(self._stored) % self.PURGE_EVERY == 0:
            self._purge(db)
        return stored

    def _purge(self, db):
        db.execute("DELETE FROM pages WHERE expires <= ?", (time.time(),))
        db.execute("DELETE FROM pages WHERE rowid IN (SELECT rowid FROM pages ORDER BY expires "
                   "LIMIT max(0, (SELECT count(*) FROM pages) - ?))", (self.threshold,))

    def _seq(self):
        return self._db().execute("SELECT seq FROM v.counter WHERE id = 1").fetchone()[0]

    def _bump_keys(self, structural, live):
        db = self._versions_db()
        now = time.time()
        db.execute("BEGIN IMMEDIATE")
        try:
            seq = db.execute("UPDATE counter SET seq = seq + 1 WHERE id = 1 RETURNING seq"
                             ).fetchone()[0]
            db.executemany(self._BUMP, [(key, seq, now) for key in structural])
            db.executemany(self._BUMP_LIVE, [(key, seq, now) for key in live])
            if seq % self.PURGE_EVERY == 0:
                # A page stored before a version's time has expired by now: its row can go
                # (a missing version reads as 0, older than any page stored since).
                db.execute("DELETE FROM versions WHERE at < ?", (now - self.ttl - 5,))
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise

    def _get_generation(self):
        token = os.pread(self.generation_fd, 16, 0)
        return token.decode() if len(token) == 16 else None

    def _set_generation(self, token):
        os.pwrite(self.generation_fd, token.encode(), 0)

    def _transient(self, error):
        # Another worker held the write lock past the timeout: skip this page only.
        return isinstance(error, sqlite3.OperationalError) and "locked" in str(error)

    def close(self):
        with contextlib.suppress(OSError):
            os.close(self.generation_fd)
