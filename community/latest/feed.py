"""The feed's sources and their merge (see the package's docstring)."""

from datetime import datetime
from typing import NamedTuple

from flask import url_for
from sqlalchemy import select

from ..accounts.models import User
from ..accounts.rows import AUTHOR_COLUMNS, Author, moment
from ..circles.models import Circle, Event
from ..forum.models import Board, Thread
from ..ideas.models import Idea, StatusChange
from ..kernel.extensions import db

_SOURCES = {}


class Item(NamedTuple):
    """One line of the feed. `kind` says what happened ("idea", "status", "meetup",
    "campaign"); `detail` is the status reached, the circle's or board's name."""

    kind: str
    when: datetime
    title: str
    url: str
    actor: Author | None
    detail: str = ""


def register_source(kind, loader):
    """loader(limit, before) -> up to `limit` Items newer first, all older than `before`."""
    _SOURCES[kind] = loader


def newest(statement, when, key, limit, before):
    """The statement's rows newest first (by `when`, then `key`), older than `before`."""
    if before is not None:
        statement = statement.where(when < before)
    return db.session.execute(statement.order_by(when.desc(), key.desc()).limit(limit))


def latest(limit, before=None):
    """(items, the `before` of the next page or None): every source's newest, merged."""
    found = []
    for loader in _SOURCES.values():
        found.extend(loader(limit + 1, before))
    found.sort(key=lambda item: item.when, reverse=True)
    page = found[:limit]
    more = len(found) > limit and page
    return page, (page[-1].when if more else None)


def _idea_items(kind, when, key, detail, by, joined, limit, before, *where):
    """Items about ideas a visitor may see (their thread not hidden): (id, title, when,
    detail, *who did it), from the ideas with `joined` (a table and its ON clause) and
    their threads; `by` names who did it."""
    statement = (select(Idea.id, Thread.title, when, detail, *AUTHOR_COLUMNS).select_from(Idea)
                 .join(*joined).join(Thread, Thread.id == Idea.thread_id)
                 .join(User, User.id == by).where(Thread.hidden.is_(False), *where))
    return [Item(kind, moment(at), title, url_for("ideas.show", idea_id=idea_id),
                 Author(*author), shown)
            for idea_id, title, at, shown, *author in newest(statement, when, key, limit, before)]


def _new_ideas(limit, before):
    return _idea_items("idea", Idea.created_at, Idea.id, Board.name, Idea.author_id,
                       (Board, Board.id == Idea.board_id), limit, before, Idea.status != "merged")


def _status_changes(limit, before):
    return _idea_items("status", StatusChange.created_at, StatusChange.id,
                       StatusChange.to_status, StatusChange.actor_id,
                       (StatusChange, StatusChange.idea_id == Idea.id), limit, before,
                       StatusChange.to_status != StatusChange.from_status,
                       StatusChange.to_status != "merged")


# Meetups not hidden by their circle's moderators, with their circle and who set them up.
MEETUPS = (select(Event.id, Event.title, Event.created_at, Circle.slug, Circle.name,
                  *AUTHOR_COLUMNS)
           .join(Circle, Circle.id == Event.circle_id).join(Thread, Thread.id == Event.thread_id)
           .join(User, User.id == Event.created_by_id).where(Thread.hidden.is_(False)))


def meetup_items(rows):
    """Items of MEETUPS' rows."""
    return [Item("meetup", moment(created_at), title,
                 url_for("circle_events.event", slug=slug, event_id=event_id),
                 Author(*author), circle)
            for event_id, title, created_at, slug, circle, *author in rows]


def _meetups(limit, before):
    """Meetups of open circles only: the feed is shared by every reader (a member's
    closed circles are their own hole, mine.py)."""
    return meetup_items(newest(MEETUPS.where(Circle.visibility == "open"),
                               Event.created_at, Event.id, limit, before))


def register_community_sources():
    register_source("idea", _new_ideas)
    register_source("status", _status_changes)
    register_source("meetup", _meetups)
