"""One SQLAlchemy statement cache per kind of database for the whole run.

Every test builds its own app, so its own engine, whose statement cache starts empty:
each test compiled again the same few dozen statements its pages and services run, a
tenth of a short test's time; and the ORM's flush statements, cached per mapper and
per dialect object, were compiled again for every engine too. SQLAlchemy keys both
caches by the dialect object; every test's engine of one kind (dialect class and
parameter style, on this run's one SQLite library and one PostgreSQL server) compiles
alike, so SHARED keys them by that kind instead. The app's own prebuilt statements are
shared the same way, by dialect name (community/kernel/compiled.py)."""

from sqlalchemy.util import LRUCache

from community.kernel.extensions import db


class _KindCache:
    """A `compiled_cache`: `get` and item assignment are all SQLAlchemy uses
    (sql/elements.py, _compile_w_cache), plus `clear` (Engine.clear_compiled_cache).
    Its keys are (dialect, statement key, ...)."""

    def __init__(self, size):
        self.entries = LRUCache(size)

    @staticmethod
    def _key(key):
        dialect = key[0]
        return (type(dialect), dialect.paramstyle, *key[1:])

    def get(self, key, default=None):
        return self.entries.get(self._key(key), default)

    def __setitem__(self, key, compiled):
        self.entries[self._key(key)] = compiled

    def __len__(self):
        return len(self.entries)

    def clear(self):
        self.entries.clear()


SHARED = _KindCache(10_000)


def install():
    """The mappers' flush statements (the ORM's INSERTs, UPDATEs and DELETEs)."""
    db.Model.registry.configure()
    for mapper in db.Model.registry.mappers:
        mapper.__dict__["_compiled_cache"] = SHARED  # what its memoized attribute would hold


def share(app):
    """Point each of the app's engines at SHARED."""
    with app.app_context():
        for engine in db.engines.values():
            engine._compiled_cache = SHARED
