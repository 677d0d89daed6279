"""Boards, threads and posts as the pages show them, read as plain rows.

A page of 20 posts loaded as Post objects with their authors' full User objects spent
more Python than the page took to render; these hold the columns the pages show, read
on the driver (community/kernel/reads.py) by statements built once.
"""

from functools import cache

from sqlalchemy import and_, bindparam, select, tuple_

from ..accounts.models import User
from ..accounts.rows import AUTHOR_COLUMNS, Author, moment
from ..kernel.extensions import db
from ..kernel.reads import rows_among, rows_of
from .models import Board, Post, Thread


class BoardRef:
    """A board as a row that names it shows it."""

    __slots__ = ("id", "slug", "name")

    def __init__(self, board_id, slug, name):
        self.id, self.slug, self.name = board_id, slug, name


class BoardRow:
    """What a Board gives for its columns, for pages that show boards."""

    __slots__ = ("id", "slug", "name", "description", "position", "created_at",
                 "thread_count", "post_count", "last_post_at", "last_thread_id", "listed")

    def __repr__(self):
        return f"<BoardRow {self.slug}>"


_BOARDS = select(Board.id, Board.slug, Board.name, Board.description, Board.position,
                 Board.created_at, Board.thread_count, Board.post_count, Board.last_post_at,
                 Board.last_thread_id, Board.listed)
_LISTED_BOARDS = _BOARDS.where(Board.listed.is_(True)).order_by(Board.position, Board.id)
_BOARD = _BOARDS.where(Board.slug == bindparam("slug"))


def _board_row(row):
    board = BoardRow()
    (board.id, board.slug, board.name, board.description, board.position, created_at,
     board.thread_count, board.post_count, last_post_at, board.last_thread_id, listed) = row
    board.created_at, board.last_post_at = moment(created_at), moment(last_post_at)
    board.listed = bool(listed)
    return board


def listed_boards():
    """The listed boards in their order, as BoardRows."""
    return [_board_row(row) for row in rows_of(_LISTED_BOARDS)]


def board_row(slug):
    """The board with this slug as a BoardRow, or None."""
    rows = rows_of(_BOARD, slug=slug)
    return _board_row(rows[0]) if rows else None


class ThreadPage:
    """A thread as its own page shows it (and its panels and owner ask of it): what a
    Thread gives for these attributes, `board` a BoardRef."""

    __slots__ = ("id", "kind", "board_id", "board", "title", "pinned", "locked", "hidden",
                 "reply_count")


_PAGE = (select(Thread.id, Thread.kind, Thread.board_id, Board.slug, Board.name, Thread.title,
                Thread.pinned, Thread.locked, Thread.hidden, Thread.reply_count)
         .join(Board, Board.id == Thread.board_id).where(Thread.id == bindparam("thread_id")))


def thread_page(thread_id):
    """The thread as a ThreadPage, or None."""
    rows = rows_of(_PAGE, thread_id=thread_id)
    if not rows:
        return None
    thread = ThreadPage()
    (thread.id, thread.kind, thread.board_id, slug, name, thread.title, pinned, locked, hidden,
     thread.reply_count) = rows[0]
    thread.board = BoardRef(thread.board_id, slug, name)
    thread.pinned, thread.locked, thread.hidden = bool(pinned), bool(locked), bool(hidden)
    return thread


class ThreadTitle:
    """A thread as a link to it shows it."""

    __slots__ = ("id", "board_id", "title", "hidden")

    def __init__(self, thread_id, board_id, title, hidden):
        self.id, self.board_id, self.title, self.hidden = thread_id, board_id, title, bool(hidden)


_TITLES = select(Thread.id, Thread.board_id, Thread.title, Thread.hidden).where(
    Thread.id.in_(bindparam("ids", expanding=True)))


def thread_titles(ids):
    """{id: ThreadTitle} of these threads."""
    return {row[0]: ThreadTitle(*row) for row in rows_among(_TITLES, list(ids))} if ids else {}


class PostRow:
    """What a Post gives for these attributes; `author` an accounts Author."""

    __slots__ = ("id", "thread_id", "author_id", "position", "body_html", "created_at",
                 "edited_at", "deleted_at", "hidden", "like_count", "author")

    def __repr__(self):
        return f"<PostRow {self.id} #{self.position}>"


_BETWEEN = (select(Post.id, Post.thread_id, Post.author_id, Post.position, Post.body_html,
                   Post.created_at, Post.edited_at, Post.deleted_at, Post.hidden,
                   Post.like_count, *AUTHOR_COLUMNS)
            .join(User, User.id == Post.author_id)
            .where(Post.thread_id == bindparam("thread_id"),
                   Post.position >= bindparam("start"), Post.position < bindparam("stop"))
            .order_by(Post.position))


def posts_between(thread_id, start, stop):
    """The thread's posts at positions start <= p < stop, in order."""
    found = []
    for (post_id, thread, author_id, position, body_html, created_at, edited_at, deleted_at,
         hidden, like_count, *author) in rows_of(_BETWEEN, thread_id=thread_id, start=start,
                                                 stop=stop):
        post = PostRow()
        post.id, post.thread_id, post.author_id, post.position = post_id, thread, author_id, position
        post.body_html, post.hidden, post.like_count = body_html, bool(hidden), like_count
        post.created_at, post.edited_at = moment(created_at), moment(edited_at)
        post.deleted_at, post.author = moment(deleted_at), Author(*author)
        found.append(post)
    return found


class ThreadRow:
    """A thread as a board's list shows it (templates/community/forum/_thread_rows.html);
    `author` an accounts Author."""

    __slots__ = ("id", "title", "pinned", "locked", "hidden", "created_at", "last_post_at",
                 "reply_count", "author")

    def __repr__(self):
        return f"<ThreadRow {self.id} {self.title!r}>"


@cache
def _board_threads(hidden_kinds, staff, pinned, after_cursor):
    """A board's listed threads, pinned or not, newest activity first: parameters
    board_id, limit, and the cursor's last_post_at and id (SQLAlchemy binds those: a
    datetime). Owner-guarded kinds are left out, as literal values."""
    where = [Thread.board_id == bindparam("board_id"), Thread.listed.is_(True),
             Thread.pinned.is_(pinned), *(Thread.kind != kind for kind in hidden_kinds)]
    if not staff:
        where.append(Thread.hidden.is_(False))
    if after_cursor:
        where.append(tuple_(Thread.last_post_at, Thread.id)
                     < tuple_(bindparam("last_post_at"), bindparam("thread_id")))
    stmt = (select(Thread.id, Thread.title, Thread.pinned, Thread.locked, Thread.hidden,
                   Thread.created_at, Thread.last_post_at, Thread.reply_count, *AUTHOR_COLUMNS)
            .join(User, User.id == Thread.author_id).where(and_(*where))
            .order_by(Thread.last_post_at.desc(), Thread.id.desc()))
    return stmt if pinned else stmt.limit(bindparam("limit"))


def board_thread_rows(board_id, hidden_kinds, staff, pinned, limit=None, cursor=None):
    """ThreadRows of a board: the pinned ones, or a page of the rest (after `cursor`,
    a (last_post_at, id))."""
    stmt = _board_threads(tuple(sorted(hidden_kinds)), staff, pinned, cursor is not None)
    params = {"board_id": board_id}
    if not pinned:
        params["limit"] = limit
    if cursor is None:
        rows = rows_of(stmt, **params)
    else:  # a datetime parameter: SQLAlchemy's own path converts it for the dialect
        rows = db.session.execute(stmt, dict(params, last_post_at=cursor[0],
                                             thread_id=cursor[1])).all()
    found = []
    for (thread_id, title, is_pinned, locked, hidden, created_at, last_post_at, replies,
         *author) in rows:
        thread = ThreadRow()
        thread.id, thread.title, thread.reply_count, thread.author = (thread_id, title, replies,
                                                                      Author(*author))
        thread.pinned, thread.locked, thread.hidden = bool(is_pinned), bool(locked), bool(hidden)
        thread.created_at, thread.last_post_at = moment(created_at), moment(last_post_at)
        found.append(thread)
    return found


class ProfileThread:
    """A thread as a profile lists it: id, title, created_at, `board` a BoardRef."""

    __slots__ = ("id", "title", "created_at", "board")


class ProfileReply:
    """A reply as a profile lists it: id, thread_id, body, created_at."""

    __slots__ = ("id", "thread_id", "body", "created_at")


@cache
def _profile_items(replies, hidden_kinds, staff):
    """A page of an author's threads or replies, newest first: parameters author_id,
    limit, offset. Owner-guarded kinds are left out, as literal values."""
    kinds = [Thread.kind != kind for kind in hidden_kinds]
    if replies:
        stmt = (select(Post.id, Post.thread_id, Post.body, Post.created_at)
                .join(Thread, Thread.id == Post.thread_id)
                .where(Post.author_id == bindparam("author_id"), Post.position > 0,
                       Post.deleted_at.is_(None), Thread.listed.is_(True), *kinds))
        if not staff:
            stmt = stmt.where(Post.hidden.is_(False), Thread.hidden.is_(False))
        stmt = stmt.order_by(Post.id.desc())
    else:
        stmt = (select(Thread.id, Thread.title, Thread.created_at, Board.id, Board.slug,
                       Board.name).join(Board, Board.id == Thread.board_id)
                .where(Thread.author_id == bindparam("author_id"), Thread.listed.is_(True),
                       *kinds))
        if not staff:
            stmt = stmt.where(Thread.hidden.is_(False))
        stmt = stmt.order_by(Thread.id.desc())
    return stmt.limit(bindparam("limit")).offset(bindparam("offset"))


def profile_items(replies, author_id, hidden_kinds, staff, limit, offset):
    """An author's threads (ProfileThreads) or replies (ProfileReplies), newest first."""
    stmt = _profile_items(replies, tuple(sorted(hidden_kinds)), staff)
    found = []
    for row in rows_of(stmt, author_id=author_id, limit=limit, offset=offset):
        if replies:
            item = ProfileReply()
            item.id, item.thread_id, item.body, created_at = row
        else:
            item = ProfileThread()
            item.id, item.title, created_at, *board = row
            item.board = BoardRef(*board)
        item.created_at = moment(created_at)
        found.append(item)
    return found
