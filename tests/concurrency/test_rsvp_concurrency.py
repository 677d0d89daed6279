"""Meetup capacity under concurrent RSVPs through gunicorn with 4 workers, on SQLite and
PostgreSQL: 30 fans for 10 places make exactly 10 going and 20 waiting; cancellations
at once each hand their place to a different next-in-line."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from helpers import make_user
from sqlalchemy import func, select, update

from community.accounts import tokens
from community.accounts.models import User
from community.circles import events, invites, service
from community.circles.models import Event, Rsvp
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.notifications.models import Notification

pytestmark = pytest.mark.concurrency


def _run_all(calls, workers):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: call(), calls))


def _rsvp(base, event_id, token, method="PUT"):
    return requests.request(method, f"{base}/api/v1/events/{event_id}/rsvp",
                            headers={"Authorization": f"Bearer {token}"}, timeout=120)


def _world(fans=30, capacity=10):
    owner = make_user("organiser")
    with transaction():
        db.session.execute(update(User).where(User.id == owner.id).values(points=100))
    owner = db.session.get(User, owner.id, populate_existing=True)
    circle = service.create_circle(owner, "Meetup club", "meetup-club", visibility="private")
    invite = invites.create_invite(circle, owner, 1, fans)
    keys = []
    for i in range(fans):
        fan = make_user(f"fan{i}")
        service.join(circle, fan, invite.token)
        keys.append(tokens.create_token(fan, "load")[1])
    starts = utcnow() + timedelta(days=3)
    event = events.create_event(circle, owner, "Big meetup", "", "Park", starts,
                                starts + timedelta(hours=2), capacity)
    return event.id, keys


def _state(event_id):
    event = db.session.get(Event, event_id, populate_existing=True)
    rows = dict(db.session.execute(select(Rsvp.status, func.count()).where(
        Rsvp.event_id == event_id).group_by(Rsvp.status)).all())
    return (event.going_count, event.waitlist_count, rows.get("going", 0),
            rows.get("waitlisted", 0))


def test_30_fans_for_10_places_then_one_cancels(app, live_servers):
    with app.app_context():
        event_id, keys = _world()
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    responses = _run_all([lambda k=k: _rsvp(base, event_id, k) for k in keys], workers=30)
    assert {r.status_code for r in responses} == {200}
    statuses = [r.json()["status"] for r in responses]
    assert statuses.count("going") == 10 and statuses.count("waitlisted") == 20
    with app.app_context():
        assert _state(event_id) == (10, 20, 10, 20)
        first_waiting = db.session.scalar(select(Rsvp.user_id).where(
            Rsvp.event_id == event_id, Rsvp.status == "waitlisted").order_by(Rsvp.id).limit(1))
    going_key = keys[statuses.index("going")]
    cancelled = _rsvp(base, event_id, going_key, "DELETE")
    assert cancelled.status_code == 200 and cancelled.json()["status"] is None
    with app.app_context():
        assert _state(event_id) == (10, 19, 10, 19)
        assert db.session.scalar(select(Rsvp.status).where(
            Rsvp.event_id == event_id, Rsvp.user_id == first_waiting)) == "going"
        notices = db.session.scalars(select(Notification.user_id).where(
            Notification.kind == "event_promoted")).all()
        assert notices == [first_waiting]  # exactly one moved up, and heard so


def test_five_cancel_at_once_and_five_move_up(app, live_servers):
    with app.app_context():
        event_id, keys = _world(fans=20, capacity=10)
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    statuses = [r.json()["status"] for r in
                _run_all([lambda k=k: _rsvp(base, event_id, k) for k in keys], workers=20)]
    going = [k for k, s in zip(keys, statuses, strict=True) if s == "going"]
    with app.app_context():
        waiting = db.session.scalars(select(Rsvp.user_id).where(
            Rsvp.event_id == event_id, Rsvp.status == "waitlisted").order_by(Rsvp.id)).all()
    responses = _run_all([lambda k=k: _rsvp(base, event_id, k, "DELETE") for k in going[:5]],
                         workers=5)
    assert {r.status_code for r in responses} == {200}
    with app.app_context():
        assert _state(event_id) == (10, 5, 10, 5)
        promoted = set(db.session.scalars(select(Rsvp.user_id).where(
            Rsvp.event_id == event_id, Rsvp.status == "going", Rsvp.user_id.in_(waiting))))
        assert promoted == set(waiting[:5])  # in list order
        assert set(db.session.scalars(select(Notification.user_id).where(
            Notification.kind == "event_promoted"))) == promoted

