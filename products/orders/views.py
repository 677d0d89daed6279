"""Pre-ordering from wherever the product is talked about, My pre-orders, CSV export."""

import csv
import io
import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.kernel.errors import DomainError
from community.web.http import form_text, form_texts, next_url, page_arg, text_arg, whole_number
from community.web.pagecache import submit_token
from community.web.roles import staff_required

from ..campaigns import service as campaigns
from . import referrals, service, timeline
from .dues import due_now

bp = Blueprint("orders", __name__)


def new_idempotency_key():
    """A pre-order form's key: a placeholder, filled once per response, while the form may
    be kept for other readers (a stored page, a kept widget)."""
    return submit_token()


@bp.after_app_request
def remember_referrer(response):
    """A visit with ?ref=<code> remembers the referrer for 30 days (not one's own code)."""
    code = text_arg("ref", None)
    if not code or request.method != "GET" or (uid := referrals.user_id_for(code)) is None:
        return response
    if not (current_user.is_authenticated and current_user.id == uid):
        response.set_cookie(referrals.COOKIE, code, max_age=referrals.REMEMBER_DAYS * 86400,
                            httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


def referrer_from(explicit_code=None):
    return referrals.user_id_for(explicit_code or request.cookies.get(referrals.COOKIE))


def _texts():
    """The pre-order form's personalisation_<option id> fields, as {option id: text}."""
    return form_texts("personalisation_") or None


@bp.post("/campaigns/<int:campaign_id>/preorder")
@login_required
def preorder(campaign_id):
    back = next_url("orders.mine")
    tier_id, quantity = whole_number(form_text("tier", None)), whole_number(form_text("quantity", None))
    source_id = whole_number(form_text("source_id", None))
    if tier_id is None or quantity is None:
        flash(_("Pick a tier and a quantity."), "error")
        return redirect(back)
    try:
        order, created = service.place_order(
            campaign_id, current_user, tier_id, quantity, form_text("idempotency_key"),
            referrer_id=referrer_from(), f_code=form_text("f_code") or None,
            source_kind=form_text("source_kind", "product"), source_id=source_id,
            variant_id=whole_number(form_text("variant", None)), personalisation=_texts())
    except DomainError as error:
        if error.status == 404 and source_id is not None:
            raise  # a conversation or circle the buyer cannot see: 404, as everywhere
        flash(error.message, "error")
        return redirect(back)
    if created and order.payment_status == "none":
        flash(_("Pre-order placed: %(n)d × %(tier)s. No payment is taken now.",
                n=order.quantity, tier=order.tier.name), "success")
    elif created:
        flash(_("Pre-order placed: %(n)d × %(tier)s. Your units are held while you pay.",
                n=order.quantity, tier=order.tier.name), "success")
    return redirect(url_for("orders.show", order_id=order.id))


@bp.get("/preorders/<int:order_id>")
@login_required
def show(order_id):
    try:
        order = service.get_order(order_id, current_user)
    except DomainError:
        abort(404)
    return render_template("products/orders/show.html", order=order, due=due_now(order),
                           steps=timeline.steps(order), refund_key=secrets.token_hex(8))


@bp.get("/me/preorders")
@login_required
def mine():
    number = page_arg()
    rows, has_next = service.orders_of(current_user, number)
    return render_template("products/orders/mine.html", orders=rows, number=number,
                           has_next=has_next)


@bp.post("/preorders/<int:order_id>/cancel")
@login_required
def cancel(order_id):
    try:
        service.cancel_order(order_id, current_user)
        flash(_("Pre-order cancelled; the units are back on sale."), "success")
    except DomainError as error:
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
    return redirect(url_for("orders.mine"))


@bp.get("/staff/campaigns/<int:campaign_id>/orders.csv")
@staff_required
def export(campaign_id):
    campaign = campaigns.get_campaign(campaign_id)
    columns = ["order_id", "created_at", "state", "buyer", "email", "tier", "quantity",
               "unit_price_cents", "currency", "referrer_id", "source_kind", "source_id",
               "variant", "personalisation"]

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for order in service.campaign_orders(campaign.id):
            writer.writerow([order.id, order.created_at.isoformat(), order.state,
                             order.buyer.username, order.buyer.email, order.tier.name,
                             order.quantity, order.unit_price_cents, order.currency,
                             order.referrer_id or "", order.source_kind, order.source_id or "",
                             order.variant_label or "", order.personalisation or ""])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    filename = f"campaign-{campaign.id}-orders.csv"
    return Response(stream_with_context(rows()), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
