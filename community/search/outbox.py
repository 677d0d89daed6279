"""Feeding the index: outbox rows written with their cause, drained after commit.

Listeners on the domain signals run inside the use case's transaction, so a rolled-back
write leaves no outbox row and never reaches the index. `drain()` applies rows under
whoosh's write lock and deletes them only after the index commit: a crash or a lost lock
delays an update, it never loses one. It is a plain function, safe to run from several
processes at once (the lock decides); the after-request hook and `flask search drain`
call it, and so may a periodic worker.
"""

import time

from flask import current_app, g, has_app_context
from sqlalchemy import delete, insert, literal, select

from ..forum.models import Post, Thread
from ..kernel import signals
from ..kernel.database import transaction, utcnow
from ..kernel.extensions import db
from . import backends, pgindex
from .index import get_index
from .models import SearchOutbox
from .registry import KINDS, owner_of_thread_kind

BATCH = 200


# ---- writing rows (inside the caller's transaction) ------------------------

def enqueue(kind, ids):
    """Note that these rows of `kind` changed; call inside the changing transaction.
    On PostgreSQL's backend the transaction indexes them itself as it commits."""
    ids = [i for i in ids if i is not None]
    if ids and backends.postgresql():
        pgindex.note(kind, ids)
    elif ids:
        now = utcnow()
        db.session.execute(insert(SearchOutbox),
                           [{"kind": kind, "ref_id": i, "created_at": now} for i in ids])
        _written()


def enqueue_select(kind, ids_select):
    """enqueue() for every id a select yields, in one INSERT ... SELECT."""
    if backends.postgresql():
        enqueue(kind, db.session.scalars(ids_select).all())
        return
    stmt = insert(SearchOutbox).from_select(
        ["kind", "ref_id", "created_at"],
        ids_select.with_only_columns(literal(kind), *ids_select.selected_columns,
                                     literal(utcnow())))
    db.session.execute(stmt)
    _written()


def _written():
    if has_app_context():
        g.search_outbox_written = True


def enqueue_thread(thread, with_replies=False):
    """A thread's title or opening post changed: its document is the thread's own, or its
    owner's (an idea's). Hiding a thread also hides its replies."""
    owner = owner_of_thread_kind(thread.kind)
    if owner is None:
        enqueue("thread", [thread.id])
    elif owner.for_thread is not None:
        enqueue(owner.name, [owner.for_thread(thread.id)])
    if with_replies:
        enqueue_select("reply", select(Post.id).where(Post.thread_id == thread.id,
                                                      Post.position > 0))


# ---- listeners on the domain signals ---------------------------------------

def connect():
    signals.thread_created.connect(on_thread_created)
    signals.post_created.connect(on_post_created)
    signals.post_edited.connect(on_post_changed)
    signals.post_deleted.connect(on_post_changed)
    signals.content_moderated.connect(on_content_moderated)
    signals.idea_created.connect(on_idea_changed)
    signals.idea_merged.connect(on_idea_changed)


def on_thread_created(thread, **_):
    # An idea's thread comes before its idea row: idea_created enqueues the idea.
    enqueue_thread(thread)


def on_post_created(post, **_):
    if post.position > 0:
        enqueue("reply", [post.id])


def on_post_changed(post, **_):
    if post.position > 0:
        enqueue("reply", [post.id])
    else:
        enqueue_thread(db.session.get(Thread, post.thread_id))


def on_content_moderated(_actor, kind=None, id=None, **_):
    if kind == "thread":
        enqueue_thread(db.session.get(Thread, id), with_replies=True)
    elif kind == "post":
        on_post_changed(db.session.get(Post, id))


def on_idea_changed(idea, **_):
    enqueue("idea", [idea.id])


# ---- applying rows ---------------------------------------------------------

def drain(batch=BATCH, time_budget=None, wait=0.0, index=None):
    """Apply outbox rows until none are left, the budget (seconds) is spent, or another
    process holds the write lock for more than `wait` seconds (by default it does not
    wait: the holder will apply the rows); returns how many rows were applied.

    Rows are read under the lock, so two drains cannot apply an older and a newer read
    of one row in the wrong order, and deleted after the index commit but before the lock
    is released, so the next drain does not apply them again (a crash in between leaves
    them to be applied twice, which is harmless). After releasing the lock the loop looks
    again: rows whose own drain found the lock taken are picked up here.
    """
    if index is None and backends.postgresql():
        return _drain_into_postgresql(batch)
    index = index or get_index()
    deadline = None if time_budget is None else time.monotonic() + time_budget
    applied = 0
    while _pending():
        with index.writer(timeout=wait) as writer:
            if writer is None:
                break  # the holder drains what we wrote when it looks again
            # A fresh snapshot now that the lock is ours: on SQLite the one _pending()
            # read in may predate the last holder's work, and would hand us its rows
            # (already applied) and older text than it indexed.
            _end_read()
            ids = _apply(writer, batch)
            writer.commit()
            _end_read()
            with transaction():
                db.session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(ids)))
        applied += len(ids)
        if deadline is not None and time.monotonic() > deadline:
            break
    _end_read()
    return applied


def _drain_into_postgresql(batch):
    """Rows left from whoosh days (or written before the switch): applied as a
    transaction would have applied them, then deleted with them."""
    applied = 0
    while _pending():
        with transaction():
            rows = db.session.execute(
                select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.ref_id)
                .order_by(SearchOutbox.id).limit(batch)).all()
            pgindex.apply({(row.kind, row.ref_id) for row in rows})
            db.session.execute(delete(SearchOutbox).where(
                SearchOutbox.id.in_([row.id for row in rows])))
        applied += len(rows)
    _end_read()
    return applied


def _pending():
    _end_read()  # a fresh snapshot: see rows committed since
    return db.session.scalar(select(SearchOutbox.id).limit(1)) is not None


def _apply(writer, batch):
    rows = db.session.execute(
        select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.ref_id)
        .order_by(SearchOutbox.id).limit(batch)).all()
    wanted = {}
    for row in rows:
        wanted.setdefault(row.kind, set()).add(row.ref_id)
    for kind_name, ids in wanted.items():
        kind = KINDS.get(kind_name)
        docs = kind.load(sorted(ids)) if kind else {}
        for ref_id in sorted(ids):
            doc = docs.get(ref_id)
            if doc is not None:
                writer.index(doc)
            else:
                writer.forget(f"{kind_name}:{ref_id}")
    return [row.id for row in rows]


def _end_read():
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("drain() needs the session's own changes committed first")
    session.rollback()


# ---- after a request that wrote rows ---------------------------------------

def after_request(response):
    """Drain once the response has gone out (call_on_close), so the page does not wait
    for the index; a drain that finds the lock taken returns at once."""
    if g.pop("search_outbox_written", False) and current_app.config["SEARCH_DRAIN_AFTER_REQUEST"]:
        app = current_app._get_current_object()
        response.call_on_close(lambda: drain_quietly(app))
    return response


def drain_quietly(app):
    with app.app_context():
        try:
            drain(time_budget=app.config["SEARCH_DRAIN_BUDGET"])
        except Exception:
            # The rows stay in the outbox for the next drain; the response is already sent.
            app.logger.exception("search: drain failed, the outbox keeps its rows")
