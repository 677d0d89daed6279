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


def assert_queries_do_not_grow(app, client, path, world, grow):
    """GET `path` with the world as it is and again after `grow(world, 45)`: the same count.

    Each count follows one uncounted load (caches warm, one-time writes such as marking
    messages read done), and `world.reload()` brings its rows into the new session.
    """
    client.get(path)
    with counting(app) as small:
        assert client.get(path).status_code == 200
    with app.app_context():
        world.reload()
        grow(world, 45)
    client.get(path)
    with counting(app) as large:
        assert client.get(path).status_code == 200
    assert len(small) == len(large), _difference(small, large)


def _difference(small, large):
    """The statements that ran more often with more rows, for the failure message."""
    grew = Counter(large)
    grew.subtract(Counter(small))
    return "\n\n".join(f"{n:+d} x {sql}" for sql, n in grew.items() if n)
