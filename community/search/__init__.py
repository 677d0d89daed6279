"""Search: the one interface the rest of the app uses.

    register_kind(name, label, load, ids, url, ...)   make a kind searchable (at start-up)
    enqueue(kind, ids)                                this row changed (inside its transaction)
    drain(wait=0)                                     apply the outbox to the index
    rebuild(progress=None)                            the index again from the database
    search(q, kinds=None, board_id=None, sort=..., page=..., per_page=...) -> Results
    similar_ideas(title, board_id=None, limit=5)      the duplicate finder

Callers never see the backend: whoosh files on one host (SQLite, or
SEARCH_BACKEND=whoosh), or PostgreSQL's full-text search, which every host shares
(backends.py, pgindex.py, pgquery.py). Importing whoosh and the search code costs
a command ~0.2 s; jieba's dictionary, the slow part (~1 s), loads on the first search or
in a server's warm-up (gunicorn.conf.py), never on import.
"""

from . import backends, pgquery, reindex, similar
from .outbox import drain, enqueue
from .query import MAX_PAGE, MAX_QUERY, SORTS
from .query import search as run
from .registry import Doc, html_text, register_kind

__all__ = ["MAX_PAGE", "MAX_QUERY", "SORTS", "Doc", "drain", "enqueue", "html_text",
           "rebuild", "register_kind", "search", "similar_ideas"]


def search(qstring, kinds=None, board_id=None, sort="relevance", page=1, per_page=20):
    backend = pgquery.search if backends.postgresql() else run
    return backend(qstring, kinds, board_id, sort, page, per_page)


def similar_ideas(title, board_id=None, limit=5, exclude_id=None, min_cover=None):
    backend = pgquery.similar_ideas if backends.postgresql() else similar.similar_ideas
    return backend(title, board_id, limit, exclude_id,
                   similar.MIN_COVER if min_cover is None else min_cover)


def rebuild(progress=None, batch=500, procs=1):
    return reindex.rebuild(progress, batch, procs)
