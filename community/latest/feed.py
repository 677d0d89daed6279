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


def _new_ideas(limit, before):
    rows = newest(
        select(Idea.id, Thread.title, Idea.created_at, Board.name, *AUTHOR_COLUMNS)
        .join(Thread, Thread.id == Idea.thread_id).join(Board, Board.id == Idea.board_id)
        .join(User, User.id == Idea.author_id)
        .where(Thread.hidden.is_(False), Idea.status != "merged"),
        Idea.created_at, Idea.id, limit, before)
    return [Item("idea", moment(created_at), title, url_for("ideas.show", idea_id=idea_id),
                 Author(*author), board)
            for idea_id, title, created_at, board, *author in rows]


def _status_changes(limit, before):
    rows = newest(
        select(Idea.id, Thread.title, StatusChange.created_at, StatusChange.to_status,
               *AUTHOR_COLUMNS)
        .join(Idea, Idea.id == StatusChange.idea_id).join(Thread, Thread.id == Idea.thread_id)
        .join(User, User.id == StatusChange.actor_id)
        .where(Thread.hidden.is_(False), StatusChange.to_status != StatusChange.from_status,
               StatusChange.to_status != "merged"),
        StatusChange.created_at, StatusChange.id, limit, before)
    return [Item("status", moment(created_at), title, url_for("ideas.show", idea_id=idea_id),
                 Author(*author), status)
            for idea_id, title, created_at, status, *author in rows]


def _meetups(limit, before):
    """Meetups of open circles only: the feed is shared by every reader."""
    rows = newest(
        select(Event.id, Event.title, Event.created_at, Circle.slug, Circle.name,
               *AUTHOR_COLUMNS)
        .join(Circle, Circle.id == Event.circle_id).join(Thread, Thread.id == Event.thread_id)
        .join(User, User.id == Event.created_by_id)
        .where(Circle.visibility == "open", Thread.hidden.is_(False)),
        Event.created_at, Event.id, limit, before)
    return [Item("meetup", moment(created_at), title,
                 url_for("circle_events.event", slug=slug, event_id=event_id),
                 Author(*author), circle)
            for event_id, title, created_at, slug, circle, *author in rows]


def register_community_sources():
    register_source("idea", _new_ideas)
    register_source("status", _status_changes)
    register_source("meetup", _meetups)
