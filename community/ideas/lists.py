"""Idea lists: hot, top and new, per board or site-wide, filtered by status and tag.

Each list reads one index in order and takes a page of it; totals come from the
idea_counts table (or, under a tag or period filter, a count bounded by that
filter), so a page does not get dearer as ideas pile up.

The page's ids come first (the index, plus one primary-key look-up of the idea's
thread to leave hidden ones out), then the ideas with their board, author and
thread: the eager joins run for the 20 rows shown, not for every row an OFFSET
skips, and no query reads the whole threads table to list the hidden ones.
"""

from datetime import timedelta

from sqlalchemy import exists, func, select

from ..forum.models import Thread
from ..kernel.database import utcnow
from ..kernel.extensions import db
from ..web.pagination import Page
from .models import STATUSES, Idea, IdeaCount, IdeaTag, Tag

SORTS = ("hot", "top", "new")
PERIODS = {"week": timedelta(days=7), "month": timedelta(days=30), "all": None}
_ORDER = {
    "hot": (Idea.hot.desc(), Idea.id.desc()),
    "top": (Idea.votes.desc(), Idea.id.desc()),
    "new": (Idea.created_at.desc(), Idea.id.desc()),
}


def list_ideas(sort="hot", board_id=None, status=None, tag_ids=None, period="all",
               page=1, per_page=20, include_hidden=False):
    """A page of ideas. Merged ideas are left out unless asked for by status."""
    stmt = select(Idea.id)
    if board_id is not None:
        stmt = stmt.where(Idea.board_id == board_id)
    stmt = stmt.where(Idea.status == status) if status else stmt.where(Idea.status != "merged")
    if tag_ids is not None:
        stmt = stmt.where(Idea.id.in_(select(IdeaTag.idea_id).where(IdeaTag.tag_id.in_(tag_ids))))
    since = PERIODS.get(period) if sort == "top" else None
    if since is not None:
        stmt = stmt.where(Idea.created_at >= utcnow() - since)
    if not include_hidden:
        stmt = stmt.where(~exists().where(Thread.id == Idea.thread_id, Thread.hidden.is_(True)))
    ids = db.session.scalars(
        stmt.order_by(*_ORDER[sort]).limit(per_page + 1).offset((page - 1) * per_page)
    ).all()
    rows = _in_order(ids)
    if tag_ids is not None or since is not None:
        total = db.session.scalar(stmt.with_only_columns(func.count()).order_by(None))
    else:
        total = count_ideas(board_id, status)
    return Page(items=rows[:per_page], page=page, per_page=per_page,
                has_next=len(rows) > per_page, total=total)


def _in_order(ids):
    """The ideas with these ids, in the order given (one query, eager joins and all)."""
    if not ids:
        return []
    found = {i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_(ids))).unique()}
    return [found[i] for i in ids if i in found]


def count_ideas(board_id=None, status=None):
    stmt = select(func.coalesce(func.sum(IdeaCount.n), 0))
    if board_id is not None:
        stmt = stmt.where(IdeaCount.board_id == board_id)
    stmt = stmt.where(IdeaCount.status == status) if status else stmt.where(IdeaCount.status != "merged")
    return db.session.scalar(stmt)


def counts_by_status(board_id=None):
    stmt = select(IdeaCount.status, func.sum(IdeaCount.n)).group_by(IdeaCount.status)
    if board_id is not None:
        stmt = stmt.where(IdeaCount.board_id == board_id)
    found = dict(db.session.execute(stmt).all())
    return {s: found.get(s, 0) for s in STATUSES}


def find_tag_ids(board_id, name):
    """Tags are per board; site-wide, a tag name means that tag on every board."""
    stmt = select(Tag.id).where(Tag.name == name)
    if board_id is not None:
        stmt = stmt.where(Tag.board_id == board_id)
    return list(db.session.scalars(stmt))


def shipped(page=1, per_page=20):
    """Every shipped idea, newest first."""
    stmt = (select(Idea.id).where(Idea.status == "shipped")
            .order_by(Idea.status_changed_at.desc(), Idea.id.desc()))
    rows = _in_order(db.session.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)).all())
    return Page(items=rows[:per_page], page=page, per_page=per_page,
                has_next=len(rows) > per_page, total=count_ideas(status="shipped"))
