"""Factories for circles and meetups (they need an app context)."""

import itertools
from datetime import timedelta

from helpers import make_user
from sqlalchemy import update

from community.accounts import service as accounts
from community.accounts.models import User
from community.circles import events, service
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db

_seq = itertools.count(1)


def level_up(user, points=100):
    """Give a fan enough points for level 2+ (starting a circle needs it)."""
    with transaction():
        db.session.execute(update(User).where(User.id == user.id).values(points=points))
    return accounts.get_by_username(user.username)


def make_fan(name=None):
    return level_up(make_user(name))


def make_circle(owner=None, visibility="open", kind="interest", city=None, slug=None,
                name=None, members=()):
    owner = owner or make_fan()
    n = next(_seq)
    circle = service.create_circle(owner, name or f"Circle {n}", slug or f"circle-{n}",
                                   "A circle for tests.", kind, city or ("上海" if kind == "city"
                                                                          else None), visibility)
    for member in members:
        add_member(circle, member)
    return circle


def add_member(circle, user):
    """Make someone a member whatever the circle's visibility (as an invitation would)."""
    from community.circles import invites
    from community.circles.models import CircleMember

    owner = db.session.get(CircleMember, (circle.id, circle.owner_id)).user
    invite = invites.create_invite(circle, owner, 1, 1)
    assert service.join(circle, user, invite.token) in ("joined", "member")


def make_event(circle, actor=None, capacity=10, starts_in_hours=48, title=None):
    actor = actor or db.session.get(User, circle.owner_id)
    starts = utcnow() + timedelta(hours=starts_in_hours)
    return events.create_event(circle, actor, title or f"Meetup {next(_seq)}", "Come along.",
                               "Tea house, 2F", starts, starts + timedelta(hours=2), capacity)
