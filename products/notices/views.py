"""Notify-me buttons, backer updates on the product page, and where store notices lead.

The product page is shared by its readers (page cache): the follow button is a
per_user_if branch and the updates section a per_user hole, both drawn for whoever is
looking, so a backers-only update never enters a stored page.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.kernel.errors import DomainError
from community.web.http import form_text, redirect_next
from community.web.roles import staff_required

from ..campaigns import service as campaigns
from . import service

bp = Blueprint("notices", __name__)


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


@bp.get("/products/by-id/<int:product_id>")
def product(product_id):
    """Where a store notice about a product leads (notices keep ids, not slugs)."""
    return redirect(url_for("catalog.show", slug=service.get_product(product_id).slug))


@bp.get("/updates/<int:update_id>")
def update(update_id):
    found = service.get_update(update_id, current_user)
    return render_template("products/notices/update.html", update=found,
                           product=service.get_product(found.product_id))


@bp.post("/products/by-id/<int:product_id>/follow")
@login_required
def follow(product_id):
    found = service.follow(current_user, product_id)
    return _followed(found, True)


@bp.post("/products/by-id/<int:product_id>/unfollow")
@login_required
def unfollow(product_id):
    found = service.unfollow(current_user, product_id)
    return _followed(found, False)


def _followed(found, following):
    if _wants_json():
        return {"following": following}
    if following:
        flash(_("We will tell you when pre-orders for %(name)s open.", name=found.name), "success")
    return redirect_next("catalog.show", slug=found.slug)


@bp.post("/campaigns/<int:campaign_id>/updates")
@staff_required
def post_update(campaign_id):
    campaign = service.campaign_of(campaign_id, current_user)
    tiers = [t for t in request.form.getlist("tiers") if t.isdigit()]
    try:
        service.post_update(campaign_id, current_user, form_text("title"), form_text("body"),
                            form_text("audience", "public"), tiers)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Update posted: backers are being told."), "success")
    return redirect(url_for("catalog.show", slug=campaign.product.slug, tab="updates", _anchor="updates"))


# ---- page-cache holes ------------------------------------------------------

def following_holes(user, product_ids):
    """Which of these products ("id" strings) the reader follows (per_user_if)."""
    if user is None or not user.is_authenticated or not product_ids:
        return set()
    return {str(i) for i in service.following(user.id, [int(i) for i in product_ids])}


def updates_holes(user, args):
    """The product page's updates section, for whoever is looking."""
    out = {}
    staff = user is not None and user.is_authenticated and user.is_staff
    for arg in args:
        product_id = int(arg)
        # The campaign only for staff's form: a fan's reload reads the updates alone.
        campaign = campaigns.current_campaign(product_id) if staff else None
        updates = service.product_updates(user, product_id)
        out[arg] = render_template(
            "products/notices/_updates.html", updates=updates, campaign=campaign,
            staff=staff, tiers=service.tiers_of(campaign.id) if staff and campaign else [])
    return out
