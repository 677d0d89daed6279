"""Meetups: moderators schedule them, members RSVP, and a full one keeps a waiting list.

Capacity holds the way stock does: taking a place is one conditional UPDATE
(going_count + 1 where going_count < capacity) whose returned row decides, never a read
then a write. A cancellation by someone going hands their place to the first on the
waiting list in the same transaction, with the meetup's row locked (FOR UPDATE on
PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), so two cancellations
at once promote two different people, in list order.
"""

from datetime import UTC, datetime

from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent
from sqlalchemy import delete, select, update

from ..forum import service as forum
from ..forum.models import Thread
from ..kernel.database import insert_ignore, transaction, utcnow
from ..kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from ..kernel.extensions import db
from ..web.markdown import render
from ..web.site import absolute_url
from . import access, listeners, notices
from .models import Event, Rsvp
from .threads import add_circle_thread

MAX_CAPACITY = 10_000


def _check(title, description, place, starts_at, ends_at, capacity):
    title = forum.check_title(title)
    description, place = (description or "").strip(), (place or "").strip()
    if len(description) > forum.MAX_BODY:
        raise ValidationError(_("Keep it under %(n)d characters.", n=forum.MAX_BODY),
                              field="description")
    if not 1 <= len(place) <= 200:
        raise ValidationError(_("Say where the meetup is (at most 200 characters)."), field="place")
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime):
        raise ValidationError(_("Give the meetup a start and an end."), field="starts_at")
    if ends_at <= starts_at:
        raise ValidationError(_("The meetup must end after it starts."), field="ends_at")
    if starts_at <= utcnow():
        raise ValidationError(_("The start is already past."), field="starts_at")
    if not isinstance(capacity, int) or isinstance(capacity, bool) or \
            not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationError(_("Capacity is a whole number from 1 to %(n)d.", n=MAX_CAPACITY),
                              field="capacity")
    return title, description, place


def create_event(circle, actor, title, description, place, starts_at, ends_at, capacity):
    """A moderator schedules a meetup; its discussion thread opens with the description."""
    title, description, place = _check(title, description, place, starts_at, ends_at, capacity)
    forum.ensure_can_post(actor)
    actor_id = actor.id
    with transaction():
        access.ensure_moderator(access.membership(circle.id, actor))
        thread = add_circle_thread(circle.id, actor, title, description or title)
        event = Event(circle_id=circle.id, thread_id=thread.id, title=title,
                      description=description, description_html=render(description),
                      place=place, starts_at=starts_at, ends_at=ends_at, capacity=capacity,
                      created_by_id=actor_id)
        db.session.add(event)
        db.session.flush()
        notices.meetup_scheduled(event, circle, actor_id)
    return event


def get_event(event_id, viewer):
    """A meetup of a circle the viewer may read, else NotFound; with the viewer's membership."""
    event = db.session.get(Event, event_id, populate_existing=True)
    if event is None:
        raise NotFound(_("No such meetup."))
    member = access.membership(event.circle_id, viewer)
    # One its moderators hid (its thread) is missing too, as its page is, but for staff.
    if not access.can_read(event.circle, member) or not forum.can_see_thread(
            db.session.get(Thread, event.thread_id), viewer):
        raise NotFound(_("No such meetup."))
    return event, member


def upcoming(circle, limit=10):
    """The circle's meetups not over yet; one its moderators hid (its thread) is gone."""
    return db.session.scalars(select(Event).join(Thread, Thread.id == Event.thread_id)
                              .where(Event.circle_id == circle.id, Event.ends_at > utcnow(),
                                     Thread.hidden.is_(False))
                              .order_by(Event.starts_at, Event.id).limit(limit)).all()


def status_of(event_id, user):
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(select(Rsvp.status).where(Rsvp.event_id == event_id,
                                                      Rsvp.user_id == user.id))


def attendees(event, limit=200):
    """(going, waiting list), each in the order they answered."""
    rows = db.session.scalars(select(Rsvp).where(Rsvp.event_id == event.id)
                              .order_by(Rsvp.id).limit(limit)).all()
    return [r for r in rows if r.status == "going"], [r for r in rows if r.status == "waitlisted"]


# ---- RSVPs -------------------------------------------------------------------

def rsvp(event_id, user):
    """Say you are coming: "going" while places last, then "waitlisted". Idempotent."""
    forum.ensure_can_post(user)
    user_id = user.id
    with transaction():
        event, member = get_event(event_id, user)
        access.ensure_member(member)
        if event.starts_at <= utcnow():
            raise Conflict(_("This meetup has already started; RSVPs are closed."),
                           code="event_past")
        # The row goes first: a twin request waits on its unique key, not for a place.
        if not insert_ignore(Rsvp, event_id=event.id, user_id=user_id, status="waitlisted",
                             created_at=utcnow()):
            return status_of(event.id, user)
        took = db.session.execute(
            update(Event).where(Event.id == event.id, Event.going_count < Event.capacity)
            .values(going_count=Event.going_count + 1).returning(Event.id)).first()
        if took is not None:
            db.session.execute(update(Rsvp).where(Rsvp.event_id == event.id,
                                                  Rsvp.user_id == user_id).values(status="going"))
            return "going"
        db.session.execute(update(Event).where(Event.id == event.id)
                           .values(waitlist_count=Event.waitlist_count + 1))
        return "waitlisted"


def cancel_rsvp(event_id, user):
    """Withdraw; a place freed goes to the first on the waiting list, who is told."""
    if user is None or not user.is_authenticated:
        raise Forbidden(_("Sign in first."), code="sign_in_required")
    with transaction():
        event, _member = get_event(event_id, user)
        if event.starts_at <= utcnow():
            raise Conflict(_("This meetup has already started; RSVPs are closed."),
                           code="event_past")
        _withdraw(event.id, user.id)


def _withdraw(event_id, user_id):
    gone = db.session.execute(delete(Rsvp).where(Rsvp.event_id == event_id,
                                                 Rsvp.user_id == user_id)
                              .returning(Rsvp.status)).first()
    if gone is None:
        return None
    if gone.status == "waitlisted":
        db.session.execute(update(Event).where(Event.id == event_id)
                           .values(waitlist_count=Event.waitlist_count - 1))
        return None
    # Cancellations queue here; each then sees the list as the one before left it.
    db.session.execute(select(Event.id).where(Event.id == event_id).with_for_update())
    first = select(Rsvp.id).where(Rsvp.event_id == event_id, Rsvp.status == "waitlisted") \
        .order_by(Rsvp.id).limit(1).scalar_subquery()
    promoted = db.session.execute(
        update(Rsvp).where(Rsvp.id == first, Rsvp.status == "waitlisted")
        .values(status="going").returning(Rsvp.user_id)).first()
    if promoted is None:
        db.session.execute(update(Event).where(Event.id == event_id)
                           .values(going_count=Event.going_count - 1))
        return None
    db.session.execute(update(Event).where(Event.id == event_id)
                       .values(waitlist_count=Event.waitlist_count - 1))
    listeners.promoted(db.session.get(Event, event_id), promoted.user_id)
    return promoted.user_id


def drop_rsvps(circle_id, user_id):
    """Someone leaves the circle: their answers to its coming meetups go, inside the leave's
    transaction, and their places pass down the waiting lists."""
    events = db.session.scalars(
        select(Rsvp.event_id).join(Event, Event.id == Rsvp.event_id)
        .where(Event.circle_id == circle_id, Rsvp.user_id == user_id,
               Event.starts_at > utcnow())).all()
    for event_id in events:
        _withdraw(event_id, user_id)


# ---- calendars ---------------------------------------------------------------

def ics(event):
    """The meetup as an iCalendar file (RFC 5545), for any calendar app."""
    calendar = Calendar()
    calendar.add("prodid", "-//Fanforge//Circles//EN")
    calendar.add("version", "2.0")
    item = VEvent()
    item.add("uid", f"circle-event-{event.id}@fanforge")
    item.add("dtstamp", datetime.now(UTC))
    item.add("dtstart", event.starts_at.replace(tzinfo=UTC))
    item.add("dtend", event.ends_at.replace(tzinfo=UTC))
    item.add("summary", event.title)
    item.add("location", event.place)
    if event.description:
        item.add("description", event.description)
    item.add("url", absolute_url("circle_events.event", slug=event.circle.slug, event_id=event.id))
    calendar.add_component(item)
    return calendar.to_ical()
