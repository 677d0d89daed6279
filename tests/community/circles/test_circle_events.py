"""Meetups: capacity with a waiting list, cancelling promotes the first waiting, past
meetups take no RSVPs, leaving gives a place up, and an .ics file for calendars."""

from datetime import timedelta

import icalendar
import pytest
from circle_factories import make_circle, make_event, make_fan
from sqlalchemy import func, select, update

from community.circles import events, service
from community.circles.models import Event, Rsvp
from community.kernel.database import transaction, utcnow
from community.kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from community.kernel.extensions import db
from community.notifications.models import Notification


def _counts(event_id):
    event = db.session.get(Event, event_id, populate_existing=True)
    rows = dict(db.session.execute(select(Rsvp.status, func.count()).where(
        Rsvp.event_id == event_id).group_by(Rsvp.status)).all())
    return event.going_count, event.waitlist_count, rows.get("going", 0), rows.get("waitlisted", 0)


def test_places_then_a_waiting_list_then_promotion(ctx):
    fans = [make_fan() for _ in range(4)]
    circle = make_circle(members=fans)
    event = make_event(circle, capacity=2)
    assert [events.rsvp(event.id, f) for f in fans] == ["going", "going", "waitlisted", "waitlisted"]
    assert events.rsvp(event.id, fans[0]) == "going"  # idempotent
    assert _counts(event.id) == (2, 2, 2, 2)
    events.cancel_rsvp(event.id, fans[1])
    assert _counts(event.id) == (2, 1, 2, 1)
    assert events.status_of(event.id, fans[2]) == "going"  # the first waiting moved up
    assert events.status_of(event.id, fans[3]) == "waitlisted"
    notice = db.session.scalars(select(Notification).where(
        Notification.user_id == fans[2].id, Notification.kind == "event_promoted")).one()
    assert (notice.kind, notice.title, notice.thread_id) == ("event_promoted", event.title,
                                                             event.thread_id)
    events.cancel_rsvp(event.id, fans[3])  # a waiting one leaves: nobody moves
    events.cancel_rsvp(event.id, fans[3])  # twice changes nothing
    assert _counts(event.id) == (2, 0, 2, 0)
    events.cancel_rsvp(event.id, fans[0])
    assert _counts(event.id) == (1, 0, 1, 0)


def test_only_members_rsvp_and_only_moderators_schedule(ctx):
    member = make_fan()
    circle = make_circle(members=[member])
    with pytest.raises(Forbidden):
        make_event(circle, actor=member)
    event = make_event(circle)
    with pytest.raises(Forbidden):
        events.rsvp(event.id, make_fan())  # an open circle: readable, but not a member
    assert _counts(event.id) == (0, 0, 0, 0)


def test_a_past_meetup_takes_no_rsvp_and_writes_nothing(ctx):
    member = make_fan()
    circle = make_circle(members=[member])
    event = make_event(circle)
    with transaction():
        db.session.execute(update(Event).where(Event.id == event.id).values(
            starts_at=utcnow() - timedelta(hours=1)))
    with pytest.raises(Conflict) as error:
        events.rsvp(event.id, member)
    assert error.value.code == "event_past"
    assert _counts(event.id) == (0, 0, 0, 0)


@pytest.mark.parametrize("change, field", [
    ({"capacity": 0}, "capacity"),
    ({"starts_in": -1}, "starts_at"),
    ({"length": -1}, "ends_at"),
    ({"place": ""}, "place"),
])
def test_bad_meetups_name_the_field(ctx, change, field):
    circle = make_circle()
    owner = db.session.get(type(circle), circle.id).owner
    starts = utcnow() + timedelta(hours=change.get("starts_in", 5))
    with pytest.raises(ValidationError) as error:
        events.create_event(circle, owner, "Meetup", "", change.get("place", "Park"), starts,
                            starts + timedelta(hours=change.get("length", 2)),
                            change.get("capacity", 5))
    assert error.value.field == field


def test_private_meetups_are_not_found_by_outsiders(ctx):
    member = make_fan()
    circle = make_circle(visibility="private", members=[member])
    event = make_event(circle)
    assert events.get_event(event.id, member)[0].id == event.id
    with pytest.raises(NotFound):
        events.get_event(event.id, make_fan())
    with pytest.raises(NotFound):
        events.rsvp(event.id, make_fan())


def test_leaving_the_circle_gives_the_place_to_the_next(ctx):
    first, second = make_fan(), make_fan()
    circle = make_circle(members=[first, second])
    event = make_event(circle, capacity=1)
    events.rsvp(event.id, first)
    events.rsvp(event.id, second)
    service.leave(circle, first)
    assert events.status_of(event.id, second) == "going"
    assert _counts(event.id) == (1, 0, 1, 0)


def test_the_calendar_file_is_valid_icalendar(ctx):
    circle = make_circle()
    event = make_event(circle, title="Hangzhou ride")
    with ctx.test_request_context():
        data = events.ics(events.get_event(event.id, None)[0])
    calendar = icalendar.Calendar.from_ical(data)
    (item,) = calendar.walk("VEVENT")
    assert str(item["summary"]) == "Hangzhou ride"
    assert str(item["location"]) == "Tea house, 2F"
    assert item.decoded("dtstart").replace(tzinfo=None) == event.starts_at.replace(microsecond=0) \
        or item.decoded("dtstart").replace(tzinfo=None) == event.starts_at
    assert f"/circles/{circle.slug}/events/{event.id}" in str(item["url"])
