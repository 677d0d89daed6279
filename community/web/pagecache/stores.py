"""Where stored pages live (community/web/pagecache/serving.py): text in, text out, never a pickle.

A stored page is its body (the HTML, bytes) and the actions to replay on a hit (a little
JSON), so write access to a store can at worst change what a page says, never run code
in a worker. Every store has the same small interface:

- get(key) -> a Found (the body, the actions, what the page was drawn from, and the
  newest versions of what it read) or None;
- set(key, body, actions, drawn) -> stored or not: a Drawn page (the write sequence
  number taken before it was drawn, when, and the keys it read, community/kernel/
  dependencies.py) is stored only if none of those keys moved past it meanwhile;
- seq() -> the write sequence number now; bump(structural, live) after a commit moves
  the versions of the keys it wrote to a new number;
- generation() -> the current content generation (the namespace of every key), or None
  while the store cannot be trusted; new_generation() empties the cache at once (a write
  of SQL nobody could read).

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
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Drawn:
    """What a page was drawn from: the write sequence number taken before its first read,
    the wall-clock time it was stored, the keys of everything it read, and the minute of
    the community's clock if it asked the time (None if not)."""

    seq: int
    born: float
    deps: tuple
    minute: str | None = None


@dataclass(frozen=True, slots=True)
class Found:
    body: bytes
    actions: list
    drawn: Drawn
    moved: int  # the newest structural version among its keys (0: none written since)
    moved_live: int  # the newest live version among them


def _header(actions, drawn):
    return json.dumps({"a": actions, "s": drawn.seq, "t": drawn.born, "d": list(drawn.deps),
                       "m": drawn.minute}, separators=(",", ":"))


def _drawn(header):
    minute = header.get("m")
    return Drawn(int(header["s"]), float(header["t"]), tuple(header["d"]),
                 str(minute) if minute is not None else None)


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

    def set(self, key, body, actions, drawn):
        if not self._up():
            return False
        try:
            stored = self._set(key, bytes(body), list(actions), drawn)
        except self.failures as error:
            return self._failed(error) or False
        self._ok()
        return stored

    def seq(self):
        """The write sequence number now, or None: this request stores nothing."""
        if not self._up() or self._stale:
            return None
        try:
            number = self._seq()
        except self.failures as error:
            return self._failed(error)
        self._ok()
        return number

    def bump(self, structural, live):
        """After a commit: never raises. A bump that fails leaves the store stale, and a
        new generation is made before this process reads a page from it again."""
        if not self._up():
            self._stale = True
            return
        try:
            self._bump_keys(sorted(structural), sorted(live))
        except self.failures as error:
            self._stale = True
            self._failed(error)
            return
        self._ok()

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

    def set(self, key, body, actions, drawn):
        return False

    def seq(self):
        return None

    def bump(self, structural, live):
        return None

    def generation(self):
        return None

    def new_generation(self):
        return None


class PageMemory(PageStore):
    """Dicts in this process (tests)."""

    def __init__(self, ttl, threshold=1000):
        super().__init__(ttl)
        self.threshold = threshold
        self._pages = {}
        self._versions = {}  # key -> [structural, live]
        self._counter = 0
        self._generation = None
        self._lock = threading.Lock()

    def _get(self, key):
        found = self._pages.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        _expires, body, actions, drawn = found
        moved = [self._versions.get(dep, (0, 0)) for dep in drawn.deps]
        return Found(body, actions, drawn, max((m[0] for m in moved), default=0),
                     max((m[1] for m in moved), default=0))

    def _set(self, key, body, actions, drawn):
        with self._lock:
            if any(self._versions.get(dep, (0, 0))[0] > drawn.seq for dep in drawn.deps):
                return False
            if len(self._pages) >= self.threshold:
                now = time.monotonic()
                self._pages = {k: v for k, v in self._pages.items() if v[0] >= now}
                while len(self._pages) >= self.threshold:  # the oldest first
                    self._pages.pop(next(iter(self._pages)))
            self._pages[key] = (time.monotonic() + self.ttl, body, actions, drawn)
            return True

    def _seq(self):
        return self._counter

    def _bump_keys(self, structural, live):
        with self._lock:
            self._counter += 1
            for key in structural:
                self._versions.setdefault(key, [0, 0])[0] = self._counter
            for key in live:
                self._versions.setdefault(key, [0, 0])[1] = self._counter

    def _get_generation(self):
        return self._generation

    def _set_generation(self, token):
        with self._lock:
            self._generation = token
            self._pages.clear()
            self._versions.clear()


class PageRedis(PageStore):
    """One Redis string per page: the header's JSON, a newline, the body; the versions of
    keys in two hashes per generation (structural and live; the structural one holds the
    write sequence number under "_", and a hash without it was lost: a new generation).
    A page is read and checked, or checked and stored, by one script. Commands time out
    after REDIS_TIMEOUT and are not retried: a miss is cheaper than a wait."""

    failures = (redis.RedisError, OSError, ValueError)
    MAX_VERSIONS = 500_000  # keys in a generation's hash before a new generation starts

    _GET = """
local v = redis.call('GET', KEYS[1])
if not v or redis.call('HEXISTS', KEYS[2], '_') == 0 then return false end
local nl = string.find(v, '\\n', 1, true)
local deps = cjson.decode(string.sub(v, 1, nl - 1))['d']
local moved, live = 0, 0
if #deps > 0 then
  local s = redis.call('HMGET', KEYS[2], unpack(deps))
  local l = redis.call('HMGET', KEYS[3], unpack(deps))
  for i = 1, #deps do
    if s[i] and tonumber(s[i]) > moved then moved = tonumber(s[i]) end
    if l[i] and tonumber(l[i]) > live then live = tonumber(l[i]) end
  end
end
return {v, moved, live}
"""
    _SET = """
if redis.call('HEXISTS', KEYS[2], '_') == 0 then return 0 end
local deps = cjson.decode(ARGV[3])
local seq = tonumber(ARGV[4])
if #deps > 0 then
  local s = redis.call('HMGET', KEYS[2], unpack(deps))
  for i = 1, #deps do
    if s[i] and tonumber(s[i]) > seq then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""
    _BUMP = """
if redis.call('HEXISTS', KEYS[1], '_') == 0 then return -1 end
local seq = redis.call('HINCRBY', KEYS[1], '_', 1)
local n = tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('HSET', i <= n + 1 and KEYS[1] or KEYS[2], ARGV[i], seq)
end
return redis.call('HLEN', KEYS[1])
"""

    def __init__(self, url, ttl, prefix, timeout=REDIS_TIMEOUT):
        super().__init__(ttl)
        self.prefix = prefix
        self.client = redis.Redis.from_url(url, socket_timeout=timeout,
                                           socket_connect_timeout=timeout,
                                           retry=Retry(NoBackoff(), 0))
        self._get_script = self.client.register_script(self._GET)
        self._set_script = self.client.register_script(self._SET)
        self._bump_script = self.client.register_script(self._BUMP)
        self._token = None  # the generation this process last read

    def _hashes(self):
        token = self._token or self._get_generation() or ""
        return self.prefix + "v:" + token, self.prefix + "l:" + token

    def _get(self, key):
        found = self._get_script(keys=[self.prefix + key, *self._hashes()])
        if not found:
            return None
        value, moved, live = found
        header, _, body = value.partition(b"\n")
        header = json.loads(header)
        return Found(body, header["a"], _drawn(header), int(moved), int(live))

    def _set(self, key, body, actions, drawn):
        value = _header(actions, drawn).encode() + b"\n" + body
        return bool(self._set_script(keys=[self.prefix + key, *self._hashes()],
                                     args=[value, self.ttl, json.dumps(list(drawn.deps)),
                                           drawn.seq]))

    def _seq(self):
        found = self.client.hget(self._hashes()[0], "_")
        if found is None:  # the versions were lost: nothing stored is to be trusted
            self._stale = True
            return None
        return int(found)

    def _bump_keys(self, structural, live):
        size = self._bump_script(keys=list(self._hashes()),
                                 args=[len(structural), *structural, *live])
        if size < 0 or size > self.MAX_VERSIONS:
            self._stale = True

    def _get_generation(self):
        found = self.client.get(self.prefix + GENERATION_KEY)
        token = found.decode() if found is not None else None
        if token is not None and not self.client.hexists(self.prefix + "v:" + token, "_"):
            token = None
        self._token = token
        return token

    def _set_generation(self, token):
        old = self._token
        pipe = self.client.pipeline()
        pipe.hset(self.prefix + "v:" + token, "_", 0)
        pipe.set(self.prefix + GENERATION_KEY, token)
        if old and old != token:
            pipe.unlink(self.prefix + "v:" + old, self.prefix + "l:" + old)
        pipe.execute()
        self._token = token


class PageSQLite(PageStore):
    """The embedded default: tables in a SQLite file that every worker of this host opens
    (WAL: readers never wait), and the generation in a 16-byte file beside it, read and
    written with one system call each (pread, pwrite). A read that meets a write half
    done gets a token nobody stores pages under: a miss, never a stale page.

    A page is read with the newest versions of its keys in one statement, and stored only
    if none moved past its sequence number in one statement too. Expired pages are
    purged every PURGE_EVERY pages stored by a process, and the oldest beyond
    `threshold`; versions older than any page still kept, every PURGE_EVERY bumps."""

    failures = (sqlite3.Error, OSError, ValueError)
    PURGE_EVERY = 64
    TIMEOUT_MS = 250
    BUMP_TIMEOUT_MS = 5000
    SCHEMA_VERSION = 2
    SCHEMA = (
        "CREATE TABLE IF NOT EXISTS pages (key TEXT PRIMARY KEY, body BLOB NOT NULL, "
        "header TEXT NOT NULL, expires REAL NOT NULL)",
        "CREATE TABLE IF NOT EXISTS versions (key TEXT PRIMARY KEY, seq INTEGER NOT NULL, "
        "live INTEGER NOT NULL, at REAL NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS counter (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "seq INTEGER NOT NULL)",
        "INSERT OR IGNORE INTO counter VALUES (1, 0)",
    )
    _MOVED = ("SELECT coalesce(max(seq), 0) FROM versions WHERE key IN "
              "(SELECT value FROM json_each({deps}))")
    # bandit B608, reviewed: constant SQL put together from constants.
    _GET = ("SELECT body, header, ({moved}), (SELECT coalesce(max(live), 0) FROM versions "  # nosec B608
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
            connection = sqlite3.connect(self.path, timeout=self.TIMEOUT_MS / 1000,
                                         isolation_level=None)
            # A page is tens of KB: 64 KB pages hold most in one, and a hit maps the file
            # instead of copying each overflow page through read() (a hit's read cost
            # ~35 us with the defaults, against ~15 us for the old one-file-per-page store).
            connection.execute("PRAGMA page_size=65536")  # takes effect on a new file
            connection.execute("PRAGMA mmap_size=268435456")
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # a cache: a lost tail is misses
            connection.execute("PRAGMA journal_size_limit=16777216")
            self._schema(connection)
            local.connection, local.pid = connection, os.getpid()
        return local.connection

    def _schema(self, connection):
        if connection.execute("PRAGMA user_version").fetchone()[0] == self.SCHEMA_VERSION:
            return
        connection.execute("BEGIN IMMEDIATE")
        try:
            if connection.execute("PRAGMA user_version").fetchone()[0] != self.SCHEMA_VERSION:
                connection.execute("DROP TABLE IF EXISTS pages")  # an older layout: misses
                for statement in self.SCHEMA:
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version={self.SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

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
        return self._db().execute("SELECT seq FROM counter WHERE id = 1").fetchone()[0]

    def _bump_keys(self, structural, live):
        db = self._db()
        now = time.time()
        # A page not stored for a busy lock is one miss; a bump lost for one is a new
        # generation (every page gone): a bump waits its turn.
        db.execute(f"PRAGMA busy_timeout = {self.BUMP_TIMEOUT_MS}")
        try:
            self._bump_in_turn(db, structural, live, now)
        finally:
            db.execute(f"PRAGMA busy_timeout = {self.TIMEOUT_MS}")

    def _bump_in_turn(self, db, structural, live, now):
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
