"""Meetup pages: scheduling one, its page with RSVPs and discussion, RSVP and cancel,
and its .ics file."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forum import service as forum
from ..kernel.clock import local_to_utc
from ..kernel.database import utcnow
from ..kernel.errors import DomainError, NotFound
from ..web.http import apply_error
from ..web.pagecache import public_page
from . import access, events
from .forms import EventForm
from .thread_views import render_thread

bp = Blueprint("circle_events", __name__)


def _event(slug, event_id):
    """The meetup, if it is this circle's and the viewer may read the circle."""
    event, member = events.get_event(event_id, current_user)
    if event.circle.slug != slug:
        raise NotFound(_("No such meetup."))
    return event, member


@bp.route("/circles/<slug>/events/new", methods=["GET", "POST"])
@login_required
def new(slug):
    circle, member = access.readable_circle(slug, current_user)
    access.ensure_moderator(member)
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = events.create_event(circle, current_user, form.title.data,
                                        form.description.data, form.place.data,
                                        local_to_utc(form.starts_at.data),
                                        local_to_utc(form.ends_at.data), form.capacity.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            return redirect(url_for("circle_events.event", slug=circle.slug, event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("community/circles/new_event.html", circle=circle, form=form), status


@bp.get("/circles/<slug>/events/<int:event_id>")
@public_page
def event(slug, event_id):
    found, member = _event(slug, event_id)
    going, waiting = events.attendees(found)
    thread = forum.get_thread(found.thread_id, current_user)
    return render_thread(found.circle, member, thread, event={
        "event": found, "going": going, "waiting": waiting,
        "status": events.status_of(found.id, current_user), "open": found.starts_at > utcnow()})


@bp.post("/circles/<slug>/events/<int:event_id>/rsvp")
@login_required
def rsvp(slug, event_id):
    found, _member = _event(slug, event_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        status = events.rsvp(found.id, current_user)
    except DomainError as error:
        if wants_json or error.status == 404:
            raise
        flash(error.message, "error")
        return redirect(url_for("circle_events.event", slug=slug, event_id=event_id))
    if wants_json:
        return {"status": status}
    flash(_("You are going.") if status == "going"
          else _("The meetup is full: you are on the waiting list."), "success")
    return redirect(url_for("circle_events.event", slug=slug, event_id=event_id))


@bp.post("/circles/<slug>/events/<int:event_id>/cancel")
@login_required
def cancel(slug, event_id):
    found, _member = _event(slug, event_id)
    try:
        events.cancel_rsvp(found.id, current_user)
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
    else:
        flash(_("You are no longer coming."), "success")
    return redirect(url_for("circle_events.event", slug=slug, event_id=event_id))


@bp.get("/circles/<slug>/events/<int:event_id>.ics")
def ics(slug, event_id):
    found, _member = _event(slug, event_id)
    return Response(events.ics(found), mimetype="text/calendar",
                    headers={"Content-Disposition": f"attachment; filename=meetup-{found.id}.ics"})
