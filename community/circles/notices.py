"""Notices about belonging to a circle and about its meetups: a request to join (to the
circle's moderators), its outcome (to the fan who asked), a new meetup (to the members)
and a reminder the day before (to those going).

Each is a notification kind registered here (notifications/kinds.py), so it reads in its
reader's language and is a choice on the mail settings page. Every notice is written in
the transaction of its cause, once: a request only when its row goes in, an outcome only
by the decision that deleted the request, a meetup by its creation. Each names its circle
(target "circle") or its meetup's thread, so leaving the circle deletes it with the rest
(listeners.purge). A reminder carries its meetup as ref_key: the unique (kind, ref_key,
user) key lets the worker's job run any number of times and remind each fan once.
"""

from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..forum.models import Thread
from ..kernel.database import transaction, utcnow
from ..kernel.extensions import db
from ..mail.notify import fan_out_and_mail
from ..notifications import kinds
from ..notifications.fanout import excerpt_of_html, one
from .access import MODERATING
from .models import Circle, CircleMember, Event, Rsvp

# A meetup starting within this long from now is reminded to those going.
REMINDER_AHEAD = timedelta(days=1)


def _actor(event):
    return event.actor.username if event.actor else _("Someone")


def _link(endpoint, **columns):
    """A kind's url(event): `endpoint` with its arguments read from the notice's columns."""
    return lambda event: url_for(endpoint, **{arg: getattr(event, column)
                                              for arg, column in columns.items()})


# The slug rides in detail; the forum sends a meetup's thread on to the meetup's page
# (threads.thread_url).
_circle_url = _link("circles.show", slug="detail")
_requests_url = _link("circles.members", slug="detail")
_meetup_url = _link("forum.thread", thread_id="thread_id")


KINDS = (
    ("circle_request", _l("Requests to join circles you moderate"), _requests_url, True,
     lambda e: _("%(actor)s asked to join %(circle)s", actor=_actor(e), circle=e.title)),
    ("circle_approved", _l("Your requests to join circles: approved"), _circle_url, True,
     lambda e: _("Your request to join %(circle)s was approved: welcome!", circle=e.title)),
    ("circle_declined", _l("Your requests to join circles: declined"), _circle_url, True,
     lambda e: _("Your request to join %(circle)s was declined.", circle=e.title)),
    ("circle_meetup", _l("New meetups in your circles"), _meetup_url, False,
     lambda e: _("New meetup in %(circle)s: “%(title)s”", circle=e.detail, title=e.title)),
    ("meetup_reminder", _l("Reminders the day before meetups you are going to"), _meetup_url,
     True, lambda e: _("Reminder: “%(title)s” (%(circle)s) starts within a day, and you are going.",
                       title=e.title, circle=e.detail)),
)


def register():
    for name, label, url, immediate, text in KINDS:
        kinds.register(name, label, text, url, immediate)


def _moderators(circle_id):
    return select(CircleMember.user_id.label("user_id")).where(
        CircleMember.circle_id == circle_id, CircleMember.role.in_(MODERATING))


def _about_circle(circle):
    return {"target_type": "circle", "target_id": circle.id, "title": circle.name,
            "detail": circle.slug}


def request_filed(circle, user_id):
    """Inside the request's transaction, once its row went in: the moderators hear."""
    fan_out_and_mail("circle_request", _moderators(circle.id), exclude=(user_id,),
                     actor_id=user_id, **_about_circle(circle))


def request_decided(circle, user_id, approved, actor_id):
    """Inside the decision's transaction, by the one that removed the request."""
    fan_out_and_mail("circle_approved" if approved else "circle_declined", one(user_id),
                     actor_id=actor_id, **_about_circle(circle))


def _about_meetup(event, circle_name):
    return {"target_type": "event", "target_id": event.id, "thread_id": event.thread_id,
            "title": event.title, "detail": circle_name}


def meetup_scheduled(event, circle, actor_id):
    """Inside the meetup's creation: every member but its creator hears."""
    members = select(CircleMember.user_id.label("user_id")).where(
        CircleMember.circle_id == circle.id)
    fan_out_and_mail("circle_meetup", members, exclude=(actor_id,), actor_id=actor_id,
                     excerpt=excerpt_of_html(event.description_html) or event.place,
                     **_about_meetup(event, circle.name))


def remind_due(now=None):
    """Remind those going to every meetup that starts within REMINDER_AHEAD, each once
    (ON CONFLICT on the reminder's ref_key): a second run, or a run by another worker,
    writes nothing. Someone who says they are going after a reminder went out is
    reminded by the next run. Returns how many meetups are within the day."""
    now = now or utcnow()
    with transaction():
        due = db.session.execute(
            select(Event, Circle.name).join(Circle, Circle.id == Event.circle_id)
            .join(Thread, Thread.id == Event.thread_id)  # a hidden meetup reminds nobody
            .where(Event.starts_at > now, Event.starts_at <= now + REMINDER_AHEAD,
                   Thread.hidden.is_(False))
            .order_by(Event.starts_at, Event.id)).all()
        for event, circle_name in due:
            going = select(Rsvp.user_id.label("user_id")).where(Rsvp.event_id == event.id,
                                                                 Rsvp.status == "going")
            fan_out_and_mail("meetup_reminder", going, once=True, ref_key=f"meetup:{event.id}",
                             excerpt=event.place, **_about_meetup(event, circle_name))
    return len(due)
