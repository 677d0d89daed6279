"""Meetups over the JSON API: scheduling, reading with the counts, RSVP and cancelling."""

from datetime import UTC, datetime

from flask import request
from flask_babel import gettext as _

from ..api.core import api_blueprint, api_user, iso, json_body, require_user, token_required
from ..api.openapi import api_doc, define_schema
from ..kernel.errors import ValidationError
from ..web.site import absolute_url
from . import access, events

bp = api_blueprint("circle_events_api", __name__)

EVENT = define_schema("CircleEvent", {
    "type": "object",
    "required": ["id", "circle", "title", "description_html", "place", "starts_at", "ends_at",
                 "capacity", "going", "waitlisted", "my_status", "url", "ics_url"],
    "properties": {
        "id": {"type": "integer"},
        "circle": {"type": "object", "required": ["id", "slug"],
                   "properties": {"id": {"type": "integer"}, "slug": {"type": "string"}}},
        "title": {"type": "string"}, "description_html": {"type": "string"},
        "place": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "capacity": {"type": "integer", "minimum": 1},
        "going": {"type": "integer", "minimum": 0, "description": "How many are going."},
        "waitlisted": {"type": "integer", "minimum": 0,
                       "description": "How many are on the waiting list."},
        "my_status": {"type": ["string", "null"], "enum": ["going", "waitlisted", None]},
        "url": {"type": "string"}, "ics_url": {"type": "string"},
    },
})
NEW_EVENT = {
    "type": "object", "additionalProperties": False,
    "required": ["title", "place", "starts_at", "ends_at", "capacity"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 50_000},
        "place": {"type": "string", "minLength": 1, "maxLength": 200},
        "starts_at": {"type": "string", "format": "date-time",
                      "description": "RFC 3339; without an offset it is read as UTC."},
        "ends_at": {"type": "string", "format": "date-time"},
        "capacity": {"type": "integer", "minimum": 1, "maximum": 10_000},
    },
}
RSVP = define_schema("Rsvp", {
    "type": "object", "required": ["status", "going", "waitlisted"],
    "properties": {"status": {"type": ["string", "null"], "enum": ["going", "waitlisted", None]},
                   "going": {"type": "integer"}, "waitlisted": {"type": "integer"}}})


def _moment(raw, field):
    try:
        moment = datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        raise ValidationError(_("Use an RFC 3339 date and time."), field=field) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def event_json(event, status=None):
    slug = event.circle.slug
    return {
        "id": event.id, "circle": {"id": event.circle_id, "slug": slug}, "title": event.title,
        "description_html": event.description_html, "place": event.place,
        "starts_at": iso(event.starts_at), "ends_at": iso(event.ends_at),
        "capacity": event.capacity, "going": event.going_count,
        "waitlisted": event.waitlist_count, "my_status": status,
        "url": absolute_url("circle_events.event", slug=slug, event_id=event.id),
        "ics_url": absolute_url("circle_events.ics", slug=slug, event_id=event.id),
    }


@bp.post("/circles/<slug>/events")
@api_doc("Moderators: schedule a meetup", tag="events", request=NEW_EVENT,
         responses={201: EVENT}, errors=(404,))
@token_required
def create(slug):
    user = require_user()
    circle, member = access.readable_circle(slug, user)
    access.ensure_moderator(member)
    body = json_body()
    event = events.create_event(circle, user, body["title"], body.get("description", ""),
                                body["place"], _moment(body["starts_at"], "starts_at"),
                                _moment(body["ends_at"], "ends_at"), body["capacity"])
    return event_json(event), 201


@bp.get("/events/<int:event_id>")
@api_doc("One meetup with how many are going and waiting", tag="events",
         responses={200: EVENT}, errors=(404,))
def show(event_id):
    viewer = api_user()
    event, _member = events.get_event(event_id, viewer)
    return event_json(event, events.status_of(event.id, viewer))


@bp.route("/events/<int:event_id>/rsvp", methods=["PUT", "DELETE"])
@api_doc("RSVP: going while places last, else the waiting list (idempotent)", tag="events",
         responses={200: RSVP}, errors=(404, 409), method="PUT",
         description="409 event_past once the meetup has started.")
@api_doc("Withdraw; the first on the waiting list moves up (idempotent)", tag="events",
         responses={200: RSVP}, errors=(404, 409), method="DELETE")
@token_required
def rsvp(event_id):
    user = require_user()
    if request.method == "PUT":
        status = events.rsvp(event_id, user)
    else:
        events.cancel_rsvp(event_id, user)
        status = None
    event, _member = events.get_event(event_id, user)
    return {"status": status, "going": event.going_count, "waitlisted": event.waitlist_count}
