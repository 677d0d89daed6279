"""The community's searchable kinds: threads, replies and ideas.

Loaders select plain columns rather than ORM objects with their joined relationships:
a rebuild loads 100k documents through them.
"""

import functools

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from ..forum.models import Post, Thread
from ..ideas.models import Idea
from ..kernel.extensions import db
from ..kernel.reads import moment, rows_among, rows_of
from .registry import Doc, html_text, owner_of_thread_kind, register_kind

# Only threads anyone may read are indexed. Circle threads stay out until circles say
# who may see them: a search must never show a circle's words to a non-member.
REPLY_THREAD_KINDS = ("discussion", "idea", "product")


IDEA_THREAD_KIND = "idea"  # an idea's discussion thread (ideas.service makes it)


def _thread_kinds():
    """Kinds indexed as "thread": the readable ones no other kind owns (ideas own theirs)."""
    return [k for k in REPLY_THREAD_KINDS if owner_of_thread_kind(k) is None]


def _ids_in(column, postgresql):
    """`column IN (:ids)`; on PostgreSQL `column = ANY(:ids)`, one statement text for any
    number of ids, which psycopg keeps prepared after its fifth run (planned once per
    connection, not once per page)."""
    if postgresql:
        return column == any_(bindparam("id_array", type_=ARRAY(Integer)))
    return column.in_(bindparam("ids", expanding=True))


@functools.cache
def _statements(postgresql):
    """The loaders' selects, built once per kind of database: a results page calls two or
    three loaders, and building a select with its joins at each call cost this process
    more than PostgreSQL took to run it (bench/RESULTS.md, 2026-12-07 07:40 UTC).

    Every table is read by the keys of the rows shown (a joined thread by its id in the
    answer), so a stored results page is stale when one of its hits changes, not at every
    reply: the opening posts are a select of their own by thread, where a join on
    (thread, position 0) would have read the posts table whole."""
    return {
        "thread": select(Thread.id, Thread.title, Thread.board_id, Thread.created_at,
                         Thread.reply_count)
        .where(_ids_in(Thread.id, postgresql), Thread.hidden.is_(False),
               Thread.kind.in_(bindparam("kinds", expanding=True))),
        # The joined thread's hidden and kind are answered, not filtered on: a joined
        # table whose columns pick the rows is noted whole (its rows left out have no key).
        "reply": select(Post.id, Post.body_html, Post.created_at, Thread.title, Thread.board_id,
                        Thread.id.label("thread_id"), Thread.hidden, Thread.kind)
        .join(Thread, Thread.id == Post.thread_id)
        .where(_ids_in(Post.id, postgresql), Post.position > 0, Post.deleted_at.is_(None),
               Post.hidden.is_(False)),
        "idea": select(Idea.id, Idea.board_id, Idea.created_at, Idea.status, Idea.votes,
                       Thread.title, Thread.id.label("thread_id"), Thread.hidden, Thread.kind)
        .join(Thread, Thread.id == Idea.thread_id)
        .where(_ids_in(Idea.id, postgresql), Idea.status != "merged"),
        "opening": select(Post.thread_id, Post.body_html, Post.deleted_at, Post.hidden)
        .where(_ids_in(Post.thread_id, postgresql), Post.position == 0),
    }


def _openings(thread_ids):
    """{thread id: its opening post's text}; a hidden or deleted opening post adds none."""
    return {thread_id: "" if deleted_at is not None or hidden else html_text(body_html)
            for thread_id, body_html, deleted_at, hidden in _rows("opening", thread_ids)}


def _rows(kind, ids, **params):
    """The rows of a kind's select, run on the driver (kernel/compiled.py): SQLAlchemy's
    per-statement work cost a results page more than reading its documents."""
    if not ids:
        return []
    session = db.session()
    if session.autoflush:  # as a query through the session would: an outbox row is
        session.flush()  # applied in the transaction that changed the row, maybe unflushed
    session.connection()  # and read in the session's transaction, as before
    postgresql = session.get_bind().dialect.name == "postgresql"
    statement = _statements(postgresql)[kind]
    if postgresql:  # one array parameter, not an expanding IN
        return rows_of(statement, id_array=list(ids), **params)
    return rows_among(statement, ids, **params)


def load_threads(ids):
    rows = _rows("thread", ids, kinds=_thread_kinds())
    texts = _openings([row[0] for row in rows])
    return {i: Doc("thread", i, title, texts.get(i, ""), board_id, moment(created_at),
                   extra={"replies": replies})
            for i, title, board_id, created_at, replies in rows}


def load_replies(ids):
    rows = _rows("reply", ids)
    return {i: Doc("reply", i, "", html_text(body), board_id, moment(created_at),
                   heading=title, extra={"thread_id": thread_id})
            for i, body, created_at, title, board_id, thread_id, hidden, kind in rows
            if not hidden and kind in REPLY_THREAD_KINDS}


def load_ideas(ids):
    rows = [(i, board_id, created_at, status, votes, title, thread_id)
            for i, board_id, created_at, status, votes, title, thread_id, hidden, kind
            in _rows("idea", ids)
            # Not if its thread is hidden, or no longer an idea's (moved into a circle:
            # the idea page itself refuses it then).
            if not hidden and kind == IDEA_THREAD_KIND]
    texts = _openings([thread_id for *_idea, thread_id in rows])
    return {i: Doc("idea", i, title, texts.get(thread_id, ""), board_id, moment(created_at),
                   extra={"status": status, "votes": votes})
            for i, board_id, created_at, status, votes, title, thread_id in rows}


def idea_for_thread(thread_id):
    return db.session.scalar(select(Idea.id).where(Idea.thread_id == thread_id))


def register():
    register_kind("idea", _l("Ideas"), load_ideas, lambda: select(Idea.id),
                  lambda doc: url_for("ideas.show", idea_id=doc.id),
                  thread_kind=IDEA_THREAD_KIND, for_thread=idea_for_thread)
    register_kind("thread", _l("Threads"), load_threads,
                  lambda: select(Thread.id).where(Thread.kind.in_(_thread_kinds())),
                  lambda doc: url_for("forum.thread", thread_id=doc.id))
    register_kind("reply", _l("Replies"), load_replies,
                  lambda: select(Post.id).where(Post.position > 0),
                  lambda doc: url_for("forum.post", post_id=doc.id))
