"""Search: the one interface the rest of the app uses.

    register_kind(name, label, load, ids, url, ...)   make a kind searchable (at start-up)
    enqueue(kind, ids)                                this row changed (inside its transaction)
    drain(wait=0)                                     apply the outbox to the index
    rebuild(progress=None)                            the index again from the database
    search(q, kinds=None, board_id=None, sort=..., page=..., per_page=...) -> Results
    similar_ideas(title, board_id=None, limit=5)      the duplicate finder

Callers never see whoosh: a second backend (PostgreSQL full-text search, for several
hosts) would sit behind these same functions. whoosh and jieba load on first use, not
when the app is built, so CLI commands that never search stay quick.
"""

from . import reindex
from .outbox import drain, enqueue
from .registry import Doc, html_text, register_kind

__all__ = ["Doc", "drain", "enqueue", "html_text", "rebuild", "register_kind", "search",
           "similar_ideas"]

MAX_QUERY = 200  # characters
MAX_PAGE = 50  # of 20 hits: past that, refine the query
SORTS = ("relevance", "date")


def search(qstring, kinds=None, board_id=None, sort="relevance", page=1, per_page=20):
    from .query import search as run  # deferred: loads whoosh and jieba

    return run(qstring, kinds, board_id, sort, page, per_page)


def similar_ideas(title, board_id=None, limit=5, exclude_id=None, min_cover=None):
    from . import similar  # deferred: loads whoosh and jieba

    return similar.similar_ideas(title, board_id, limit, exclude_id,
                                 similar.MIN_COVER if min_cover is None else min_cover)


def rebuild(progress=None, batch=500, procs=1):
    return reindex.rebuild(progress, batch, procs)
