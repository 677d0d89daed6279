"""Circle pages: the directory, my circles, starting one, its page, joining and leaving,
members and roles, and invitation links. Thin: every rule is in access.py and the services."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..kernel.database import utcnow
from ..kernel.errors import DomainError
from ..web.http import apply_error, form_text, page_arg, text_arg
from ..web.pagecache import public_page
from . import access, events, invites, sanctions, service, threads
from .forms import KIND_NAMES, ROLE_NAMES, VISIBILITY_NAMES, CircleForm, InviteForm
from .models import KINDS

bp = Blueprint("circles", __name__)

JOIN_MESSAGES = {
    "joined": lambda: _("Welcome to the circle!"),
    "requested": lambda: _("Request sent: a moderator will let you in."),
    "member": lambda: _("You are already a member."),
}


def init_app(app):
    app.add_template_global(KIND_NAMES, "CIRCLE_KINDS")
    app.add_template_global(VISIBILITY_NAMES, "CIRCLE_VISIBILITIES")
    app.add_template_global(ROLE_NAMES, "CIRCLE_ROLES")


def _per_page():
    return current_app.config["PER_PAGE"]


@bp.get("/circles")
@public_page
def index():
    kind = text_arg("kind", None) or None
    sort = text_arg("sort", "members")
    if (kind and kind not in KINDS) or sort not in service.SORTS:
        abort(400, description=_("Unknown kind or sort."))
    city = (text_arg("city", None) or "").strip() or None
    page = service.directory(kind, city, sort, page_arg(), _per_page())
    return render_template("community/circles/index.html", page=page, kind=kind, city=city,
                           sort=sort, cities=service.cities())


@bp.get("/circles/mine")
@login_required
def mine():
    return render_template("community/circles/mine.html", rows=service.my_circles(current_user))


@bp.route("/circles/new", methods=["GET", "POST"])
@login_required
def new():
    form = CircleForm()
    if form.validate_on_submit():
        try:
            circle = service.create_circle(current_user, form.name.data, form.slug.data,
                                           form.description.data, form.kind.data, form.city.data,
                                           form.visibility.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            return redirect(url_for("circles.show", slug=circle.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("community/circles/new.html", form=form,
                           min_level=service.min_level()), status


@bp.get("/circles/<slug>")
@public_page
def show(slug):
    circle, member = access.get_circle(slug, current_user)
    readable = access.can_read(circle, member)
    return render_template(
        "community/circles/show.html", circle=circle, member=member, readable=readable,
        moderator=access.is_moderator(member),
        page=threads.circle_threads(circle, current_user, page_arg(), _per_page())
        if readable else None,
        # A closed circle shows outsiders its coming meetups' titles and dates (the
        # template leaves out the rest).
        events=events.upcoming(circle),
        requested=member is None and service.has_requested(circle, current_user),
        requests=service.pending_requests(circle) if access.is_moderator(member) else [],
        bans=sanctions.banned(circle) if access.is_moderator(member) else [],
        mute_lengths=MUTE_LABELS, now=utcnow())


@bp.post("/circles/<slug>/join")
@login_required
def join(slug):
    token = form_text("invite", None) or None
    circle = service.circle_to_join(slug, current_user, token)
    try:
        outcome = service.join(circle, current_user, token)
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
        return redirect(url_for("circles.invite", token=token) if token
                        else url_for("circles.show", slug=circle.slug))
    flash(JOIN_MESSAGES[outcome](), "success" if outcome != "member" else "info")
    return redirect(url_for("circles.show", slug=circle.slug))


@bp.post("/circles/<slug>/leave")
@login_required
def leave(slug):
    circle, _member = access.get_circle(slug, current_user)
    try:
        service.leave(circle, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("circles.show", slug=circle.slug))
    flash(_("You left %(name)s.", name=circle.name), "success")
    if circle.is_private:  # nothing of it shows to a non-member
        return redirect(url_for("circles.index"))
    return redirect(url_for("circles.show", slug=circle.slug))


@bp.post("/circles/<slug>/request/cancel")
@login_required
def cancel_request(slug):
    circle, _member = access.get_circle(slug, current_user)
    service.cancel_request(circle, current_user)
    return redirect(url_for("circles.show", slug=circle.slug))


@bp.get("/circles/<slug>/members")
@public_page
def members(slug):
    circle, member = access.readable_circle(slug, current_user)
    return render_template(
        "community/circles/members.html", circle=circle, member=member,
        moderator=access.is_moderator(member), page=service.members(circle, page_arg()),
        requests=service.pending_requests(circle) if access.is_moderator(member) else [],
        bans=sanctions.banned(circle) if access.is_moderator(member) else [],
        mute_lengths=MUTE_LABELS, now=utcnow())


@bp.post("/circles/<slug>/requests/<int:user_id>/<any(approve, refuse):decision>")
@login_required
def decide(slug, user_id, decision):
    circle, _member = access.get_circle(slug, current_user)
    service.decide_request(circle, current_user, user_id, decision == "approve")
    flash(_("Request approved.") if decision == "approve" else _("Request refused."), "success")
    return redirect(url_for("circles.members", slug=circle.slug))


MEMBER_ACTIONS = {
    "remove": lambda c, a, u: sanctions.remove(c, a, u, form_text("reason")),
    "moderator": lambda c, a, u: service.set_moderator(c, a, u, True),
    "member": lambda c, a, u: service.set_moderator(c, a, u, False),
    "owner": lambda c, a, u: service.transfer_ownership(c, a, u),
}


@bp.post("/circles/<slug>/members/<int:user_id>/<any(remove, moderator, member, owner):action>")
@login_required
def member_action(slug, user_id, action):
    circle, _member = access.readable_circle(slug, current_user)
    try:
        MEMBER_ACTIONS[action](circle, current_user, user_id)
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
    else:
        flash(_("Done."), "success")
    return redirect(url_for("circles.members", slug=circle.slug))


MUTE_LABELS = {"hour": _l("One hour"), "day": _l("One day"), "week": _l("One week")}


@bp.post("/circles/<slug>/members/<int:user_id>/<any(mute, unmute, ban, unban):action>")
@login_required
def sanction(slug, user_id, action):
    """A moderator mutes, unmutes, bans or lifts a ban (sanctions.py)."""
    circle, _member = access.readable_circle(slug, current_user)
    reason = form_text("reason")
    try:
        if action == "mute":
            sanctions.mute(circle, current_user, user_id,
                           sanctions.mute_end(form_text("length")), reason)
        elif action == "unmute":
            sanctions.unmute(circle, current_user, user_id, reason)
        elif action == "ban":
            sanctions.ban(circle, current_user, user_id, reason)
        else:
            sanctions.unban(circle, current_user, user_id, reason)
    except DomainError as error:
        if error.status == 404 and action != "unban":
            raise
        flash(error.message, "error")
    else:
        flash(_("Done."), "success")
    return redirect(url_for("circles.members", slug=circle.slug))


@bp.route("/circles/<slug>/invites", methods=["GET", "POST"])
@login_required
def invites_page(slug):
    circle, member = access.readable_circle(slug, current_user)
    access.ensure_moderator(member)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invites.create_invite(circle, current_user, form.expires_in_hours.data,
                                  form.max_uses.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            flash(_("Invitation link created."), "success")
            return redirect(url_for("circles.invites_page", slug=circle.slug))
    return render_template("community/circles/invites.html", circle=circle, form=form,
                           invites=invites.invites_of(circle))


@bp.post("/circles/<slug>/invites/<int:invite_id>/revoke")
@login_required
def revoke_invite(slug, invite_id):
    circle, _member = access.readable_circle(slug, current_user)
    invites.revoke_invite(circle, current_user, invite_id)
    flash(_("Invitation revoked: the link no longer works."), "success")
    return redirect(url_for("circles.invites_page", slug=circle.slug))


@bp.get("/circles/invite/<token>")
def invite(token):
    """An invitation link's landing page: the circle, and a button to join it."""
    circle, found = invites.circle_for_token(token)
    problem = invites.why_unusable(found)
    return render_template("community/circles/invite.html", circle=circle, token=token,
                           problem=problem, member=access.membership(circle.id, current_user),
                           events=[] if problem else events.upcoming(circle))
