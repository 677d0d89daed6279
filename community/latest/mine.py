"""The reader's own part of the Latest feed: meetups of the closed circles (approval or
private) they belong to. The feed itself is a shared page holding what a visitor may see,
so these come as a hole filled per response (``per_user('latest_mine')``), kept by the
rows it shows: members of the same circles are given the same HTML."""

from typing import NamedTuple

from flask import render_template
from sqlalchemy import and_, bindparam

from ..circles.models import Circle, CircleMember, Event
from ..kernel.reads import rows_of
from ..web.pagecache import remember
from .feed import MEETUPS, meetup_items

LIMIT = 5
_MINE = (MEETUPS.join(CircleMember, and_(CircleMember.circle_id == Circle.id,
                                          CircleMember.user_id == bindparam("user_id")))
         .where(Circle.visibility != "open")
         .order_by(Event.created_at.desc(), Event.id.desc()).limit(LIMIT))


class Facts(NamedTuple):
    """The meetup rows the hole shows (all it shows of its reader)."""
    rows: tuple


def _draw(facts):
    return render_template("community/latest/_mine.html", items=meetup_items(facts.rows))


def latest_mine_holes(user, args):
    rows = tuple(tuple(row) for row in rows_of(_MINE, user_id=user.id)) \
        if user.is_authenticated else ()
    html = remember("latest_mine", "", Facts(rows), _draw) if rows else ""
    return {arg: html for arg in args}
