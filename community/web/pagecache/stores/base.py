"""The interface every page store has, what each does when its backend fails, and the
stores that need no server (none, and memory for the tests)."""

import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass

# One logger for every store, by the package's name.
log = logging.getLogger("community.web.pagecache.stores")
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
