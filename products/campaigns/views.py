"""Staff campaign pages: draft with tiers, publish, cancel, F-codes; and settling by cron."""

import click
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from community.accounts import service as accounts
from community.kernel.clock import local_to_utc
from community.kernel.errors import DomainError
from community.kernel.extensions import db
from community.web.http import apply_error, flash_outcome, form_text
from community.web.pagecache import public_page
from community.web.roles import staff_required

from ..catalog.catalog import cover_images
from ..catalog.models import Product
from . import service
from .forms import CampaignForm, FCodeForm, cents
from .widget import buyer_facts, widget_context

bp = Blueprint("campaigns", __name__)
cli = AppGroup("campaigns", help="Pre-order campaigns.")


def _product(slug):
    product = db.session.scalar(select(Product).where(Product.slug == slug))
    if product is None:
        abort(404)
    return product


def _tiers(form):
    tiers = []
    for entry in form.tiers.entries:
        tier = entry.form
        if not (tier.name.data or "").strip():
            continue
        currency = (tier.currency.data or "").strip().upper()
        tiers.append({"name": tier.name.data, "price_cents": cents(tier.price.data or "", currency),
                      "currency": currency,
                      "limit_units": tier.limit_units.data,
                      "early_until": local_to_utc(tier.early_until.data),
                      "includes": tier.includes.data or ""})
    return tiers


@bp.route("/staff/products/<slug>/campaigns/new", methods=["GET", "POST"])
@staff_required
def new(slug):
    product = _product(slug)
    form = CampaignForm()
    if form.validate_on_submit():
        try:
            campaign = service.create_campaign(
                product, current_user, form.goal_units.data, form.cap_units.data,
                local_to_utc(form.starts_at.data), local_to_utc(form.ends_at.data),
                form.per_buyer_limit.data, _tiers(form), charge_mode=form.charge_mode.data,
                deposit_percent=form.deposit_percent.data, balance_days=form.balance_days.data,
                deposit_refundable=form.deposit_refundable.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            flash(_("Campaign drafted. Check it, then publish."), "success")
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    status = 422 if request.method == "POST" else 200
    return render_template("products/campaigns/new.html", product=product, form=form), status


@bp.get("/campaigns/<int:campaign_id>")
@public_page
def show(campaign_id):
    campaign = service.get_campaign(campaign_id)
    if campaign.state == "draft" and not (current_user.is_authenticated and current_user.is_staff):
        abort(404)
    context = widget_context(campaign, "product", campaign.product_id,
                             buyer_facts(campaign.id, current_user))
    cover = cover_images([campaign.product_id]).get(campaign.product_id)  # its share image
    return render_template("products/campaigns/show.html", fcode_form=FCodeForm(), cover=cover,
                           **context)


@bp.post("/campaigns/<int:campaign_id>/publish")
@staff_required
def publish(campaign_id):
    flash_outcome(lambda: service.publish(campaign_id, current_user), _("Published."))
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))


@bp.post("/campaigns/<int:campaign_id>/cancel")
@staff_required
def cancel(campaign_id):
    flash_outcome(lambda: service.cancel(campaign_id, current_user, form_text("reason")),
                  _("Campaign cancelled; every pre-order was cancelled with it."))
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))


@bp.post("/campaigns/<int:campaign_id>/fcodes")
@staff_required
def issue_f_codes(campaign_id):
    form = FCodeForm()
    if form.validate_on_submit():
        names = (form.usernames.data or "").replace(",", "\n").split()
        users = [user.id for user in accounts.users_named(names)]
        try:
            if form.top_n.data:
                codes = service.issue_f_codes_to_top(campaign_id, current_user, form.top_n.data)
            else:
                codes = service.issue_f_codes(campaign_id, current_user, list(users),
                                              form.reason.data)
            flash(_("%(n)d F-codes issued.", n=len(codes)), "success")
            if not form.top_n.data and len(codes) < len(users):
                flash(_("F-codes go only to co-creators who qualify (a confirmed address and a "
                        "contribution, or a grant by staff) and once per person: grant "
                        "co-creation on the product's staff page to reward someone else."), "info")
        except DomainError as error:
            flash(error.message, "error")
    return redirect(url_for("campaigns.show", campaign_id=campaign_id))


@cli.command("open-due")
def open_due_command():
    """Open every scheduled campaign whose start has come (for cron); twice changes nothing."""
    for campaign_id in service.open_due():
        click.echo(f"campaign {campaign_id}: live")


@cli.command("settle-due")
def settle_due_command():
    """Settle every campaign whose end has passed (for cron); settling twice changes nothing."""
    for campaign_id, outcome in service.settle_due():
        click.echo(f"campaign {campaign_id}: {outcome or 'already settled'}")
