"""Counting the SQL a page runs: a page must cost the same statements with 5 and with 50
items (issue 6), whatever it lists."""

from collections import Counter
from contextlib import contextmanager

from sqlalchemy import event

from community.kernel.extensions import db


@contextmanager
def counting(app):
    """The statements the app's engine runs inside the block, in order."""
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


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
