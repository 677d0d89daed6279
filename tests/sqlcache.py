"""One SQLAlchemy statement cache per kind of database for the whole run.

Every test builds its own app, so its own engine, whose statement cache starts empty:
each test compiled again the same few dozen statements its pages and services run, a
tenth of a short test's time. SQLAlchemy keys its cache by the engine's dialect object;
every test's engine of one kind (dialect class and parameter style, on this run's one
SQLite library and one PostgreSQL server) compiles alike, so `share(engine)` gives the
engine a view of one process-wide cache for its kind: the key names the kind instead of
the object. The app's own prebuilt statements are shared the same way, by dialect name
(community/kernel/compiled.py)."""

from sqlalchemy.util import LRUCache

from community.kernel.extensions import db

_CACHES = {}


class _KindCache:
    """The engine's `compiled_cache`: `get` and item assignment are all SQLAlchemy uses
    (sql/elements.py, _compile_w_cache), plus `clear` (Engine.clear_compiled_cache)."""

    def __init__(self, kind):
        self.kind = kind
        self.entries = _CACHES.setdefault(kind, LRUCache(5000))

    def get(self, key, default=None):
        return self.entries.get((self.kind, *key[1:]), default)

    def __setitem__(self, key, compiled):
        self.entries[(self.kind, *key[1:])] = compiled

    def __len__(self):
        return len(self.entries)

    def clear(self):
        self.entries.clear()


def share(app):
    """Point each of the app's engines at the run's cache for its kind of database."""
    with app.app_context():
        for engine in db.engines.values():
            dialect = engine.dialect
            engine._compiled_cache = _KindCache((type(dialect), dialect.paramstyle))
