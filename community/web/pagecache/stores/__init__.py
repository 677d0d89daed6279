"""Where stored pages live (community/web/pagecache/serving.py): text in, text out, never a pickle.

A stored page is its body (the HTML, bytes) and the actions to replay on a hit (a little
JSON), so write access to a store can at worst change what a page says, never run code
in a worker. Every store has the same small interface:

- get(key) -> a Found (the body, the actions, what the page was drawn from, and the
  newest versions of what it read) or None;
- set(key, body, actions, drawn) -> stored or not: a Drawn page (the write sequence
  number taken before it was drawn, when, and the keys it read, community/kernel/
  dependencies/) is stored only if none of those keys moved past it meanwhile;
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

import os
from urllib.parse import urlsplit

from .base import (
    GENERATION_KEY,
    RETRY_SECONDS,
    Drawn,
    Found,
    NoPages,
    PageMemory,
    PageStore,
    log,
)
from .redis_store import PageRedis
from .sqlite_file import PageSQLite

__all__ = [
    "GENERATION_KEY", "RETRY_SECONDS", "Drawn", "Found", "NoPages", "PageMemory", "PageRedis",
    "PageSQLite", "PageStore", "build_store", "log",
]


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
