"""Idea lists: hot, top and new, per board or site-wide, filtered by status and tag.

Each list reads one index in order and takes a page of it; totals come from the
idea_counts table (or, under a tag or period filter, a count bounded by that
filter), so a page does not get dearer as ideas pile up.

The page's ids come first (the index, plus one primary-key look-up of the idea's
thread to leave hidden ones out), then the ideas with their board, author and
thread: the joins run for the 20 rows shown, not for every row an OFFSET skips,
and no query reads the whole threads table to list the hidden ones.

A list is read as plain rows, not ORM objects: the page's ideas are IdeaRows (the
columns a list shows), and every statement is built once per shape and run on the
driver (community/kernel/reads.py). Loading 20 ideas with their board, author and
thread through the ORM, and building and compiling each statement per request, cost
more than rendering them.
"""

from datetime import timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, func, select

from ..accounts.models import User
from ..accounts.rows import AUTHOR_COLUMNS, Author, moment
from ..forum import service as forum
from ..forum.models import Board, Thread
from ..forum.rows import BoardRef
from ..kernel.database import utcnow
from ..kernel.errors import NotFound
from ..kernel.extensions import db
from ..kernel.reads import rows_among, rows_of
from ..web.pagination import Page
from .models import CLOSED_TO_VOTES, STATUSES, Idea, IdeaCount, IdeaTag, Tag

SORTS = ("hot", "top", "new")
PERIODS = {"week": timedelta(days=7), "month": timedelta(days=30), "all": None}
_ORDER = {
    "hot": (Idea.hot.desc(), Idea.id.desc()),
    "top": (Idea.votes.desc(), Idea.id.desc()),
    "new": (Idea.created_at.desc(), Idea.id.desc()),
}


def list_ideas(sort="hot", board_id=None, status=None, tag_ids=None, period="all",
               page=1, per_page=20, include_hidden=False):
    """A page of ideas (IdeaRows). Merged ideas are left out unless asked for by status."""
    since = PERIODS.get(period) if sort == "top" else None
    if tag_ids is not None and not tag_ids:  # no such tag: nothing is tagged with it
        return Page(items=[], page=page, per_page=per_page, has_next=False, total=0)
    ids_stmt, count_stmt = _filtered(sort, board_id is not None, bool(status),
                                     tag_ids is not None, since is not None, include_hidden)
    params = {"status": status or "merged"}
    if board_id is not None:
        params["board_id"] = board_id
    window = {"limit": per_page + 1, "offset": (page - 1) * per_page}
    if since is not None:
        # A datetime parameter: SQLAlchemy's own path converts it for the dialect.
        params["since"] = utcnow() - since
        if tag_ids is not None:
            params["ids"] = list(tag_ids)
        ids = db.session.scalars(ids_stmt, {**params, **window}).all()
        total = db.session.scalar(count_stmt, params)
    else:
        ids = [row[0] for row in rows_among(ids_stmt, tag_ids, **params, **window)]
        total = (rows_among(count_stmt, tag_ids, **params)[0][0] if tag_ids is not None
                 else count_ideas(board_id, status))
    rows = _in_order(ids)
    return Page(items=rows[:per_page], page=page, per_page=per_page,
                has_next=len(rows) > per_page, total=total)


@cache
def _filtered(sort, by_board, by_status, by_tags, by_period, include_hidden):
    """(the page's ids, their count) for one shape of filter, built once: parameters
    board_id, status (or "merged", left out), since, ids (the tags'), limit, offset."""
    stmt = select(Idea.id)
    if by_board:
        stmt = stmt.where(Idea.board_id == bindparam("board_id"))
    status = bindparam("status")
    stmt = stmt.where(Idea.status == status) if by_status else stmt.where(Idea.status != status)
    if by_tags:
        stmt = stmt.where(Idea.id.in_(select(IdeaTag.idea_id).where(
            IdeaTag.tag_id.in_(bindparam("ids", expanding=True)))))
    if by_period:
        stmt = stmt.where(Idea.created_at >= bindparam("since"))
    if not include_hidden:
        stmt = stmt.where(~exists().where(Thread.id == Idea.thread_id, Thread.hidden.is_(True)))
    return (stmt.order_by(*_ORDER[sort]).limit(bindparam("limit")).offset(bindparam("offset")),
            stmt.with_only_columns(func.count()))


class TagName:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class IdeaRow:
    """An idea as a list shows it (templates/_macros/ideas.html, the API's idea_json):
    what an Idea gives for these attributes, its tags as TagNames."""

    __slots__ = ("id", "title", "status", "votes", "created_at", "status_changed_at",
                 "reply_count", "board", "author", "tags")

    @property
    def takes_votes(self):
        return self.status not in CLOSED_TO_VOTES

    def __repr__(self):
        return f"<IdeaRow {self.id} {self.title!r}>"


_IDS = bindparam("ids", expanding=True)
_ROW_COLUMNS = (Idea.id, Thread.title, Idea.status, Idea.votes, Idea.created_at,
                Idea.status_changed_at, Thread.reply_count, Board.id, Board.slug, Board.name,
                *AUTHOR_COLUMNS)


def _joined(*columns):
    return (select(*columns).join(Thread, Thread.id == Idea.thread_id)
            .join(Board, Board.id == Idea.board_id).join(User, User.id == Idea.author_id))


_ROWS = _joined(*_ROW_COLUMNS).where(Idea.id.in_(_IDS))
_TAGS = (select(IdeaTag.idea_id, Tag.name).join(Tag, Tag.id == IdeaTag.tag_id)
         .where(IdeaTag.idea_id.in_(_IDS)).order_by(Tag.name))


def _in_order(ids):
    """The ideas with these ids as IdeaRows, in the order given (two statements)."""
    if not ids:
        return []
    tags = {}
    for idea_id, name in rows_among(_TAGS, ids):
        tags.setdefault(idea_id, []).append(TagName(name))
    boards, found = {}, {}
    for (idea_id, title, status, votes, created_at, changed_at, replies, board_id, slug, name,
         *author) in rows_among(_ROWS, ids):
        idea = found[idea_id] = IdeaRow()
        idea.id, idea.title, idea.status, idea.votes = idea_id, title, status, votes
        idea.created_at, idea.status_changed_at = moment(created_at), moment(changed_at)
        idea.reply_count, idea.author, idea.tags = replies, Author(*author), tags.get(idea_id, ())
        idea.board = boards.get(board_id) or boards.setdefault(board_id,
                                                               BoardRef(board_id, slug, name))
    return [found[i] for i in ids if i in found]


class IdeaThread:
    """An idea's thread as the idea's page needs it: its reply box, staff tools and
    who may see it (forum.can_see_thread)."""

    __slots__ = ("id", "kind", "title", "hidden", "locked", "pinned", "reply_count")


class IdeaPage(IdeaRow):
    """An idea as its own page and the API's detail show it: an IdeaRow with its
    thread (an IdeaThread), board_id, round_id and merged_into_id."""

    __slots__ = ("thread", "board_id", "round_id", "merged_into_id")


_ONE = _joined(*_ROW_COLUMNS, Thread.id, Thread.kind, Thread.hidden, Thread.locked,
               Thread.pinned, Idea.round_id, Idea.merged_into_id).where(
    Idea.id == bindparam("idea_id"))


def idea_page(idea_id, viewer):
    """The idea as an IdeaPage, NotFound unless the viewer may see it: what
    service.get_idea gives the idea's pages, read as rows (two statements)."""
    rows = rows_of(_ONE, idea_id=idea_id)
    if not rows:
        raise NotFound(_("No such idea."))
    (idea_id, title, status, votes, created_at, changed_at, replies, board_id, slug, name,
     user_id, username, role, points, avatar, thread_id, kind, hidden, locked, pinned, round_id,
     merged_into_id) = rows[0]
    thread = IdeaThread()
    thread.id, thread.kind, thread.title, thread.reply_count = thread_id, kind, title, replies
    thread.hidden, thread.locked, thread.pinned = bool(hidden), bool(locked), bool(pinned)
    if not forum.can_see_thread(thread, viewer):
        raise NotFound(_("No such idea."))
    idea = IdeaPage()
    idea.id, idea.title, idea.status, idea.votes = idea_id, title, status, votes
    idea.created_at, idea.status_changed_at = moment(created_at), moment(changed_at)
    idea.reply_count, idea.author = replies, Author(user_id, username, role, points, avatar)
    idea.board, idea.board_id = BoardRef(board_id, slug, name), board_id
    idea.tags = [TagName(row[1]) for row in rows_among(_TAGS, [idea_id])]
    idea.thread, idea.round_id, idea.merged_into_id = thread, round_id, merged_into_id
    return idea


_COUNT = select(func.coalesce(func.sum(IdeaCount.n), 0))
_COUNTS = {
    (by_board, by_status): (
        _COUNT.where(IdeaCount.board_id == bindparam("board_id")) if by_board else _COUNT
    ).where((IdeaCount.status == bindparam("status")) if by_status
            else (IdeaCount.status != "merged"))
    for by_board in (False, True) for by_status in (False, True)
}
_BY_STATUS = select(IdeaCount.status, func.sum(IdeaCount.n)).group_by(IdeaCount.status)
_BY_STATUS_ON_BOARD = _BY_STATUS.where(IdeaCount.board_id == bindparam("board_id"))


def count_ideas(board_id=None, status=None):
    params = {"board_id": board_id} if board_id is not None else {}
    if status:
        params["status"] = status
    return rows_of(_COUNTS[board_id is not None, bool(status)], **params)[0][0]


def counts_by_status(board_id=None):
    found = dict(rows_of(_BY_STATUS_ON_BOARD, board_id=board_id) if board_id is not None
                 else rows_of(_BY_STATUS))
    return {s: found.get(s, 0) for s in STATUSES}


_BOARD_TAGS = select(Tag.name).where(Tag.board_id == bindparam("board_id")).order_by(Tag.name)


def tag_names(board_id):
    """The board's tags as TagNames, by name (the chips of its idea list)."""
    return [TagName(row[0]) for row in rows_of(_BOARD_TAGS, board_id=board_id)]


def find_tag_ids(board_id, name):
    """Tags are per board; site-wide, a tag name means that tag on every board."""
    stmt = select(Tag.id).where(Tag.name == name)
    if board_id is not None:
        stmt = stmt.where(Tag.board_id == board_id)
    return list(db.session.scalars(stmt))


_BY_AUTHOR = (select(Idea.id).where(Idea.author_id == bindparam("author_id"))
              .order_by(Idea.id.desc()).limit(bindparam("limit")))


def latest_by(author_id, limit):
    """The author's latest ideas, newest first (IdeaRows)."""
    return _in_order([row[0] for row in rows_of(_BY_AUTHOR, author_id=author_id, limit=limit)])


_SHIPPED = (select(Idea.id).where(Idea.status == "shipped")
            .order_by(Idea.status_changed_at.desc(), Idea.id.desc())
            .limit(bindparam("limit")).offset(bindparam("offset")))


def shipped(page=1, per_page=20):
    """Every shipped idea, newest first."""
    ids = [row[0] for row in rows_of(_SHIPPED, limit=per_page + 1, offset=(page - 1) * per_page)]
    rows = _in_order(ids)
    return Page(items=rows[:per_page], page=page, per_page=per_page,
                has_next=len(rows) > per_page, total=count_ideas(status="shipped"))
