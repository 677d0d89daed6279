"""Read marks, unread counts and last posters (see the package's docstring)."""

from functools import cache

from sqlalchemy import and_, bindparam, func, select

from ..accounts.models import User
from ..accounts.rows import AUTHOR_COLUMNS, Author, moment
from ..forum.models import Post, Thread
from ..ideas.models import Idea
from ..kernel.database import conflict_insert, dialect_name, transaction, utcnow, write
from ..kernel.reads import rows_among, rows_of
from .models import ReadMark

_IDS = bindparam("ids", expanding=True)
_USER = bindparam("user_id")

# Where the reader stands in a thread, and how far the thread goes.
_PLACE = select(
    select(func.max(Post.position)).where(Post.thread_id == bindparam("thread_id"))
    .scalar_subquery(),
    select(ReadMark.position).where(ReadMark.user_id == _USER,
                                    ReadMark.thread_id == bindparam("thread_id"))
    .scalar_subquery())


@cache
def _upsert(dialect):
    """One row per reader and thread, only ever moved forward: concurrent opens (two tabs)
    cannot move it back, and the unique key means they cannot write two rows."""
    table = ReadMark.__table__
    insert = conflict_insert(table, dialect).values(
        user_id=bindparam("user_id"), thread_id=bindparam("thread_id"),
        position=bindparam("position"), read_at=bindparam("read_at"))
    return insert.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.thread_id],
        set_={"position": insert.excluded.position, "read_at": insert.excluded.read_at},
        where=table.c.position < insert.excluded.position)


def mark_read(user_id, thread_id):
    """The reader has been shown the thread as it stands: their mark moves to its last
    post. Nothing is written (no write turn taken) when the mark is there already."""
    rows = rows_of(_PLACE, user_id=user_id, thread_id=thread_id)
    top, seen = rows[0] if rows else (None, None)
    if top is None or (seen is not None and seen >= top):
        return False
    with transaction(reload=False):
        write(_upsert(dialect_name()),
              {"user_id": user_id, "thread_id": thread_id, "position": top, "read_at": utcnow()})
    return True


def position_of(user_id, thread_id):
    """The reader's mark in the thread (None if never opened)."""
    rows = rows_of(_PLACE, user_id=user_id, thread_id=thread_id)
    return rows[0][1] if rows else None


def _newer_posts(thread_id, position):
    """Visible posts past `position` in the thread: a correlated count."""
    return (select(func.count()).select_from(Post)
            .where(Post.thread_id == thread_id, Post.position > position,
                   Post.hidden.is_(False), Post.deleted_at.is_(None))
            .scalar_subquery())


def _unread_statement(key_column, ideas):
    """(key, mark, newer posts, started since the reader joined) for the keys asked: of
    threads by id, or of ideas by id through their discussion threads."""
    stmt = select(key_column, ReadMark.position,
                  _newer_posts(Thread.id, func.coalesce(ReadMark.position, 0)),
                  and_(Thread.created_at > User.created_at, Thread.author_id != _USER))
    stmt = (stmt.select_from(Idea).join(Thread, Thread.id == Idea.thread_id) if ideas
            else stmt.select_from(Thread))
    return (stmt.join(User, User.id == _USER)
            .outerjoin(ReadMark, and_(ReadMark.thread_id == Thread.id, ReadMark.user_id == _USER))
            .where(key_column.in_(_IDS), Thread.hidden.is_(False)))


_UNREAD = {"thread": _unread_statement(Thread.id, False), "idea": _unread_statement(Idea.id, True)}


def unread(user_id, kind, ids):
    """{id: ("new", None) | ("replies", n)} for the threads (kind "thread") or ideas
    ("idea") with something the reader has not seen; the others are left out."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return {}
    found = {}
    for key, mark, newer, started_since in rows_among(_UNREAD[kind], ids, user_id=user_id):
        if mark is None:
            if started_since:
                found[key] = ("new", None)
        elif newer:
            found[key] = ("replies", newer)
    return found


class LastPost:
    """The newest visible post of a thread, as a list row shows it."""

    __slots__ = ("created_at", "author", "position")

    def __init__(self, created_at, position, author):
        self.created_at, self.position, self.author = moment(created_at), position, author


# The newest visible post of each thread asked for, in two statements that each narrow
# posts by `thread_id IN (...)`: a stored list then depends on its own threads' posts,
# and a reply elsewhere leaves it stored. (One statement needs a derived table, and a
# table read inside one is a read of the whole table: every reply made every list stale.)
_VISIBLE = (Post.hidden.is_(False), Post.deleted_at.is_(None))
_NEWEST = (select(Post.thread_id, func.max(Post.position))
           .where(Post.thread_id.in_(_IDS), *_VISIBLE).group_by(Post.thread_id))
_AT = (select(Post.thread_id, Post.position, Post.created_at, *AUTHOR_COLUMNS)
       .join(User, User.id == Post.author_id)
       .where(Post.thread_id.in_(_IDS), Post.position.in_(bindparam("positions", expanding=True))))
_THREADS_OF_IDEAS = select(Idea.id, Idea.thread_id).where(Idea.id.in_(_IDS))


def last_posts(kind, ids):
    """{thread id (kind "thread") or idea id ("idea"): LastPost} for those with a visible
    post: two statements for a whole list (three for ideas: their threads first)."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return {}
    key_of = ({thread_id: idea_id for idea_id, thread_id in rows_among(_THREADS_OF_IDEAS, ids)}
              if kind == "idea" else {thread_id: thread_id for thread_id in ids})
    newest = dict(rows_among(_NEWEST, sorted(key_of)))
    if not newest:
        return {}
    return {key_of[thread_id]: LastPost(created_at, position, Author(*author))
            for thread_id, position, created_at, *author
            in rows_among(_AT, sorted(newest), positions=sorted(set(newest.values())))
            if newest[thread_id] == position}
