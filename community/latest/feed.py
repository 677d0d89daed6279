"""The feed's sources and their merge (see the package's docstring)."""

from datetime import datetime
from typing import NamedTuple

from flask import url_for
from sqlalchemy import bindparam, select

from ..accounts.models import User
from ..accounts.rows import AUTHOR_COLUMNS, Author, moment
from ..circles.models import Circle, Event
from ..forum.models import Board, Thread
from ..ideas.models import Idea, StatusChange
from ..kernel.reads import rows_of

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


# A source's statement with its order and limit, with and without `before`, built once:
# the home page runs every source's (building them cost more than running them).
_ORDERED = {}


def newest(name, statement, when, key, limit, before, **params):
    """The rows of source `name`'s statement newest first (by `when`, then `key`), older
    than `before`: built once per source (its `params` bound at each run), run on the
    driver."""
    ordered = _ORDERED.get((name, before is not None))
    if ordered is None:
        found = statement.where(when < bindparam("before")) if before is not None else statement
        ordered = _ORDERED[(name, before is not None)] = (
            found.order_by(when.desc(), key.desc()).limit(bindparam("limit")))
    if before is not None:
        params["before"] = before
    return rows_of(ordered, limit=limit, **params)


def latest(limit, before=None):
    """(items, the `before` of the next page or None): every source's newest, merged."""
    found = []
    for loader in _SOURCES.values():
        found.extend(loader(limit + 1, before))
    found.sort(key=lambda item: item.when, reverse=True)
    page = found[:limit]
    more = len(found) > limit and page
    return page, (page[-1].when if more else None)


def _idea_rows(when, detail, by, joined, *where):
    """Ideas a visitor may see (their thread not hidden): (id, title, when, detail, *who
    did it), from the ideas with `joined` (a table and its ON clause) and their threads;
    `by` names who did it."""
    return (select(Idea.id, Thread.title, when, detail, *AUTHOR_COLUMNS).select_from(Idea)
            .join(*joined).join(Thread, Thread.id == Idea.thread_id)
            .join(User, User.id == by).where(Thread.hidden.is_(False), *where))


_NEW_IDEAS = _idea_rows(Idea.created_at, Board.name, Idea.author_id,
                        (Board, Board.id == Idea.board_id), Idea.status != "merged")
_STATUS_CHANGES = _idea_rows(StatusChange.created_at, StatusChange.to_status,
                             StatusChange.actor_id,
                             (StatusChange, StatusChange.idea_id == Idea.id),
                             StatusChange.to_status != StatusChange.from_status,
                             StatusChange.to_status != "merged")


def _idea_items(kind, rows):
    return [Item(kind, moment(at), title, url_for("ideas.show", idea_id=idea_id),
                 Author(*author), shown)
            for idea_id, title, at, shown, *author in rows]


def _new_ideas(limit, before):
    return _idea_items("idea", newest("idea", _NEW_IDEAS, Idea.created_at, Idea.id, limit,
                                      before))


def _status_changes(limit, before):
    return _idea_items("status", newest("status", _STATUS_CHANGES, StatusChange.created_at,
                                        StatusChange.id, limit, before))


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


_OPEN_MEETUPS = MEETUPS.where(Circle.visibility == "open")


def _meetups(limit, before):
    """Meetups of open circles only: the feed is shared by every reader (a member's
    closed circles are their own hole, mine.py)."""
    return meetup_items(newest("meetup", _OPEN_MEETUPS, Event.created_at, Event.id, limit,
                               before))


def register_community_sources():
    register_source("idea", _new_ideas)
    register_source("status", _status_changes)
    register_source("meetup", _meetups)
