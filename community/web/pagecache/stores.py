"""Where stored pages live (community/web/pagecache/serving.py): text in, text out, never a pickle.

A stored page is its body (the HTML, bytes) and the actions to replay on a hit (a little
JSON), so write access to a store can at worst change what a page says, never run code
in a worker. Every store has the same small interface:

- get(key) -> (body, actions) or None; set(key, body, actions) -> stored or not;
- generation() -> the current content generation, or None while the store cannot be
  trusted; new_generation() after a commit that wrote what visitors see.

A store is a helper, not a dependency: one that cannot be read is a miss, one that cannot
be written is skipped, and nothing it raises reaches a request. The first failure of an
outage is logged (once, not a traceback per request) and the store is left alone for
RETRY_SECONDS, so a frozen server costs one short timeout a second rather than one per
request. A generation that may have missed a bump meanwhile (its bump failed, or it could
not be read) is replaced before this process trusts the store again: no page stored
before a write that was answered is served after it.

Kinds (FANFORGE_CACHE_URL): empty is PageSQLite in the instance folder, file:///path for
another file; redis://host:6379/2 is PageRedis (several hosts); memory:// is PageMemory
(this process only, tests); none is NoPages.
"""

import contextlib
import itertools
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)
RETRY_SECONDS = 1.0
REDIS_TIMEOUT = 0.3  # seconds to connect, and for each command
GENERATION_KEY = "generation"


def new_token():
    return secrets.token_hex(8)


class PageStore:
    """The interface, and what every store does when its backend fails."""

    failures = (OSError, ValueError)
    enabled = True

    def __init__(self, ttl):
        self.ttl = ttl
        self._retry_at = 0.0  # time.monotonic() before which the store is left alone
        self._failing = False  # an outage was logged and has not been seen to end
        self._stale = False  # a bump may have been lost: make a new generation first

    def get(self, key):
        if not self._up():
            return None
        try:
            found = self._get(key)
        except ValueError:  # not a page this code stored (bad JSON, foreign bytes): a miss
            return None
        except self.failures as error:
            return self._failed(error)
        self._ok()
        return found

    def set(self, key, body, actions):
        if not self._up():
            return False
        try:
            self._set(key, body, list(actions))
        except self.failures as error:
            return self._failed(error) or False
        self._ok()
        return True

    def generation(self):
        """The current generation (a new one when there is none: a first start, or a
        store that dropped it), or None: this request neither reads nor stores pages."""
        if not self._up():
            self._stale = True
            return None
        try:
            token = self._bump() if self._stale else self._get_generation() or self._bump()
        except self.failures as error:
            self._stale = True
            return self._failed(error)
        self._stale = False
        self._ok()
        return token

    def new_generation(self):
        """After a visible commit: never raises. A bump that fails is tried again before
        this process reads a page from the store."""
        self._stale = True
        if not self._up():
            return None
        try:
            token = self._bump()
        except self.failures as error:
            return self._failed(error)
        self._stale = False
        self._ok()
        return token

    def _bump(self):
        token = new_token()
        self._set_generation(token)
        return token

    def _up(self):
        return self._retry_at == 0.0 or time.monotonic() >= self._retry_at

    def _failed(self, error):
        if self._transient(error):
            return None
        self._retry_at = time.monotonic() + RETRY_SECONDS
        if not self._failing:
            self._failing = True
            log.warning("page cache %s unavailable, pages are rendered without it: %s",
                        type(self).__name__, error)
        return None

    def _ok(self):
        self._retry_at = 0.0
        if self._failing:
            self._failing = False
            log.warning("page cache %s available again", type(self).__name__)

    def _transient(self, _error):
        """A failure of this one call only (a busy lock): skip it, no outage."""
        return False


class NoPages(PageStore):
    enabled = False

    def __init__(self):
        super().__init__(0)

    def get(self, key):
        return None

    def set(self, key, body, actions):
        return False

    def generation(self):
        return None

    def new_generation(self):
        return None


class PageMemory(PageStore):
    """A dict in this process (tests)."""

    def __init__(self, ttl, threshold=1000):
        super().__init__(ttl)
        self.threshold = threshold
        self._pages = {}
        self._generation = None
        self._lock = threading.Lock()

    def _get(self, key):
        found = self._pages.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1], found[2]

    def _set(self, key, body, actions):
        with self._lock:
            if len(self._pages) >= self.threshold:
                now = time.monotonic()
                self._pages = {k: v for k, v in self._pages.items() if v[0] >= now}
                while len(self._pages) >= self.threshold:  # the oldest first
                    self._pages.pop(next(iter(self._pages)))
            self._pages[key] = (time.monotonic() + self.ttl, bytes(body), actions)

    def _get_generation(self):
        return self._generation

    def _set_generation(self, token):
        self._generation = token


class PageRedis(PageStore):
    """One Redis string per page: the actions' JSON, a newline, the body. Commands time
    out after REDIS_TIMEOUT and are not retried: a miss is cheaper than a wait."""

    failures = (redis.RedisError, OSError, ValueError)

    def __init__(self, url, ttl, prefix, timeout=REDIS_TIMEOUT):
        super().__init__(ttl)
        self.prefix = prefix
        self.client = redis.Redis.from_url(url, socket_timeout=timeout,
                                           socket_connect_timeout=timeout,
                                           retry=Retry(NoBackoff(), 0))

    def _get(self, key):
        found = self.client.get(self.prefix + key)
        if found is None:
            return None
        actions, _, body = found.partition(b"\n")
        return body, json.loads(actions)

    def _set(self, key, body, actions):
        value = json.dumps(actions, separators=(",", ":")).encode() + b"\n" + body
        self.client.set(self.prefix + key, value, ex=self.ttl)

    def _get_generation(self):
        found = self.client.get(self.prefix + GENERATION_KEY)
        return found.decode() if found is not None else None

    def _set_generation(self, token):
        self.client.set(self.prefix + GENERATION_KEY, token)


class PageSQLite(PageStore):
    """The embedded default: a table in a SQLite file that every worker of this host
    opens (WAL: readers never wait), and the generation in a 16-byte file beside it,
    read and written with one system call each (pread, pwrite): every visible commit
    writes it. A read that meets a write half done gets a token nobody stores pages
    under: a miss, never a stale page. Expired rows are purged every PURGE_EVERY pages
    stored by a process, and the oldest beyond `threshold`."""

    failures = (sqlite3.Error, OSError, ValueError)
    PURGE_EVERY = 64
    SCHEMA = ("CREATE TABLE IF NOT EXISTS pages (key TEXT PRIMARY KEY, body BLOB NOT NULL, "
              "actions TEXT NOT NULL, expires REAL NOT NULL)")

    def __init__(self, path, ttl, threshold=2000):
        super().__init__(ttl)
        self.path = path
        self.threshold = threshold
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        self.generation_fd = os.open(path + ".generation",
                                     os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        self._local = threading.local()  # one connection per thread of each process
        self._stored = itertools.count(1)

    def _db(self):
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # a new thread, or a forked worker
            connection = sqlite3.connect(self.path, timeout=0.25, isolation_level=None)
            # A page is tens of KB: 64 KB pages hold most in one, and a hit maps the file
            # instead of copying each overflow page through read() (a hit's read cost
            # ~35 us with the defaults, against ~15 us for the old one-file-per-page store).
            connection.execute("PRAGMA page_size=65536")  # takes effect on a new file
            connection.execute("PRAGMA mmap_size=268435456")
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # a cache: a lost tail is misses
            connection.execute("PRAGMA journal_size_limit=16777216")
            connection.execute(self.SCHEMA)
            local.connection, local.pid = connection, os.getpid()
        return local.connection

    def _get(self, key):
        row = self._db().execute("SELECT body, actions FROM pages WHERE key = ? AND expires > ?",
                                 (key, time.time())).fetchone()
        return (row[0], json.loads(row[1])) if row is not None else None

    def _set(self, key, body, actions):
        db = self._db()
        db.execute("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?)",
                   (key, bytes(body), json.dumps(actions, separators=(",", ":")),
                    time.time() + self.ttl))
        if next(self._stored) % self.PURGE_EVERY == 0:
            self._purge(db)

    def _purge(self, db):
        db.execute("DELETE FROM pages WHERE expires <= ?", (time.time(),))
        db.execute("DELETE FROM pages WHERE rowid IN (SELECT rowid FROM pages ORDER BY expires "
                   "LIMIT max(0, (SELECT count(*) FROM pages) - ?))", (self.threshold,))

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


def build_store(url, *, instance_path, ttl, prefix="fanforge:page:", threshold=2000):
    if url == "none":
        return NoPages()
    if url == "memory://":
        return PageMemory(ttl)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return PageRedis(url, ttl, prefix)
    if url.startswith("file://"):
        path = urlsplit(url).path
        if path.endswith("/") or os.path.isdir(path):
            path = os.path.join(path, "pages.sqlite3")
    elif url:
        raise ValueError(f"FANFORGE_CACHE_URL: not a page store: {url!r}")
    else:
        path = os.path.join(instance_path, "page-cache.sqlite3")
    return PageSQLite(path, ttl, threshold)
