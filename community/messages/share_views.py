"""The share page: put an idea, a product or a campaign, as a card, into one of your
conversations or circle threads. Places come from the card registry (community/cards/__init__.py),
so this page knows neither circles nor the store."""

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import cards
from ..kernel.errors import DomainError
from ..web import ratelimits
from ..web.http import form_text, int_arg, text_arg, whole_number

bp = Blueprint("share", __name__)


def _target():
    kind = text_arg("kind", "", request.values)
    target_id = int_arg("id", values=request.values, message=_("Say what to share."))
    cards.check_shareable(kind, target_id, current_user)
    return kind, target_id


@bp.route("/share", methods=["GET", "POST"])
@login_required
@ratelimits.posting
def share():
    kind, target_id = _target()
    if request.method == "POST":
        place_kind, _sep, raw_id = form_text("place").partition(":")
        place, place_id = cards.PLACES.get(place_kind), whole_number(raw_id)
        if place is None or place_id is None:
            flash(_("Pick where to share it."), "error")
        else:
            try:
                url = place.share(place_id, current_user, kind, target_id,
                                  form_text("comment"))
            except DomainError as error:
                if error.status == 404:
                    raise
                flash(error.message, "error")
            else:
                return redirect(url)
    places = [(p, p.choices(current_user)) for p in cards.PLACES.values()]
    preview = cards.render([(kind, target_id)], current_user, None)[(kind, target_id)]
    return render_template("community/messages/share.html", kind=kind, target_id=target_id,
                           places=places, chosen=_chosen(places), preview=preview), \
        200 if request.method == "GET" else 422


def _chosen(places):
    """The place ticked at first: the one asked for (`?place=conversation:12`) if the
    reader may share there, else their latest conversation (a share is mostly the next
    step of the talk they came from), else the first place they have."""
    offered = [f"{place.name}:{place_id}" for place, choices in places
               for place_id, _label in choices]
    asked = form_text("place") if request.method == "POST" else text_arg("place", "")
    if asked in offered:
        return asked
    return next((value for value in offered if value.startswith("conversation:")),
                offered[0] if offered else None)
