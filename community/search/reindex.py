"""Rebuilding the index from the database, kind by kind, in id order.

The write lock is held throughout, so drains meanwhile leave their rows in the outbox;
`flask search rebuild` drains them afterwards (applying a row twice is harmless). Reads
go in batches, each in a fresh snapshot, so a long rebuild never pins an old one.
"""

from sqlalchemy import func, select

from ..kernel.extensions import db
from . import backends, pgindex
from .index import get_index
from .registry import KINDS


def count_all():
    return sum(_count(kind) for kind in KINDS.values())


def _count(kind):
    stmt = kind.ids()
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def iter_docs(kind, batch=500):
    """(ids read, documents) a batch at a time; ids whose loader says None are skipped."""
    stmt = kind.ids()
    column = stmt.selected_columns[0]
    last = 0
    while True:
        ids = db.session.scalars(stmt.where(column > last).order_by(column).limit(batch)).all()
        if not ids:
            return
        docs = kind.load(ids)
        db.session.rollback()
        yield len(ids), [docs[i] for i in ids if i in docs]
        last = ids[-1]


def rebuild(progress=None, batch=500, procs=1, index=None):
    """Replace the index with every searchable row; returns the number of documents.
    `progress(n)` is called after each batch of n rows read."""
    if index is None and backends.postgresql():
        return pgindex.rebuild(progress, batch)
    index = index or get_index()
    indexed = 0
    with index.rebuilding(procs=procs) as writer:
        for kind in list(KINDS.values()):
            for read, docs in iter_docs(kind, batch):
                for doc in docs:
                    writer.index(doc, new=True)
                indexed += len(docs)
                if progress:
                    progress(read)
    return indexed
