"""Counting the SQL a page runs: a page must cost the same statements with 5 and with 50
items (issue 6), whatever it lists.

Statements are counted at the driver, where every one of them goes: through SQLAlchemy or
straight on a cursor (community/kernel/compiled.py runs its prebuilt SELECTs there, out of
sight of SQLAlchemy's cursor events). `install()` (tests/conftest.py) has every pooled
connection report to the counting blocks open at the time: SQLite's trace callback, and for
PostgreSQL a cursor class of psycopg's that notes what it executes. Transaction control
(BEGIN, COMMIT, ROLLBACK: the drivers issue some themselves) and a connection's settings
(SET, community/kernel/connections.py on each checkout) are not counted.
"""

import re
import sqlite3
from collections import Counter
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.pool import Pool

_BLOCKS = []  # the lists of the counting blocks open now
_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|END|SET)\b|\s*--", re.I)


def _seen(statement):
    if _BLOCKS and not _CONTROL.match(statement):
        for block in _BLOCKS:
            block.append(statement)


def _counting_cursor(base):
    class CountingCursor(base):
        def execute(self, query, params=None, **kwargs):
            _seen(query if isinstance(query, str) else str(query))
            return super().execute(query, params, **kwargs)

        def executemany(self, query, params_seq, **kwargs):
            _seen(query if isinstance(query, str) else str(query))
            return super().executemany(query, params_seq, **kwargs)

    return CountingCursor


def _watch(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.set_trace_callback(_seen)
    else:  # psycopg
        dbapi_connection.cursor_factory = _counting_cursor(dbapi_connection.cursor_factory)


def install():
    """Every connection any engine of this process opens from now on reports its SQL."""
    if not event.contains(Pool, "connect", _watch):
        event.listen(Pool, "connect", _watch)


@contextmanager
def counting(app=None):
    """The statements run inside the block, in order (on any of this process's engines)."""
    statements = []
    _BLOCKS.append(statements)
    try:
        yield statements
    finally:
        _BLOCKS.remove(statements)


def grouped(scenarios, by=lambda name: None):
    """Names of {name: (grow, url)} scenarios, in lists of those that grow the world alike
    (and agree on `by`, e.g. the viewer): each list can share one world, grown once (a
    world of 50 costs seconds), and count each of its pages on it."""
    groups = {}
    for name, (grow, _url) in sorted(scenarios.items()):
        groups.setdefault((grow.__name__, by(name)), []).append(name)
    return list(groups.values())


def assert_queries_do_not_grow(app, client, paths, world, grow):
    """GET each of `paths` (one path, or several pages of one world) with the world as it
    is and again after `grow(world, 45)`: the same count for each.

    Each count follows one uncounted load (caches warm, one-time writes such as marking
    messages read done), and `world.reload()` brings its rows into the new session. The
    pages are read in the same order both times, so what one read writes, the next meets
    both times.
    """
    paths = [paths] if isinstance(paths, str) else list(paths)
    small = _counts(app, client, paths)
    with app.app_context():
        world.reload()
        grow(world, 45)
    large = _counts(app, client, paths)
    grew = {path: _difference(small[path], large[path]) for path in paths
            if len(small[path]) != len(large[path])}
    assert grew == {}, "\n\n".join(f"{path}:\n{difference}" for path, difference in grew.items())


def _counts(app, client, paths):
    counts = {}
    for path in paths:
        client.get(path)
        with counting(app) as statements:
            assert client.get(path).status_code == 200, path
        counts[path] = statements
    return counts


def _difference(small, large):
    """The statements that ran more often with more rows, for the failure message."""
    grew = Counter(large)
    grew.subtract(Counter(small))
    return "\n\n".join(f"{n:+d} x {sql}" for sql, n in grew.items() if n)
