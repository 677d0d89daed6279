"""Paying: the pay step, the providers' webhooks, and the dummy gateway's own pages."""

import segno
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms.validators import ValidationError as WTFormsValidationError

from community.kernel.errors import DomainError
from community.kernel.extensions import csrf, db
from community.web.http import form_text, whole_number
from community.web.roles import staff_required
from community.web.site import absolute_url

from ..campaigns.forms import cents
from . import actions, checkout, providers, refunds, webhooks
from .models import Payment
from .providers.base import BadSignature, ProviderError

bp = Blueprint("payments", __name__)
gateway = Blueprint("dummy_gateway", __name__)


@bp.post("/preorders/<int:order_id>/pay")
@login_required
def pay(order_id):
    try:
        payment = checkout.start(order_id, current_user,
                                 absolute_url("orders.show", order_id=order_id),
                                 address_id=whole_number(form_text("address_id", None)))
    except DomainError as error:
        if error.status == 404:
            abort(404)
        flash(error.message, "error")
        return redirect(url_for("orders.show", order_id=order_id))
    if payment.checkout_url is None and payment.client_secret:
        # WeChat Pay's Native payment: a code the buyer scans with the WeChat app.
        return redirect(url_for("payments.scan", payment_id=payment.id))
    return redirect(payment.checkout_url or url_for("orders.show", order_id=order_id))


@bp.get("/payments/<int:payment_id>/scan")
@login_required
def scan(payment_id):
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.order.buyer_id != current_user.id or not payment.client_secret:
        abort(404)
    qr = segno.make(payment.client_secret, error="m")
    # bandit B704, reviewed: segno's SVG of the provider's code_url (a weixin:// link, not
    # user text), its title escaped by segno.
    svg = Markup(qr.svg_inline(scale=6, omitsize=True, title=_("Scan to pay")))  # nosec B704
    return render_template("products/payments/scan.html", payment=payment, qr_svg=svg)


@bp.post("/payments/webhooks/<provider>")
@csrf.exempt
def webhook(provider):
    try:
        outcome = webhooks.receive(provider, request.get_data(cache=False), request.headers)
    except providers.NotConfigured:
        return jsonify(error="No such payment provider."), 404
    except BadSignature:
        return jsonify(error="The signature does not verify."), 400
    except ProviderError:
        # Verified, but the provider could not be asked what it refers to: it sends it again.
        return jsonify(error="Try again later."), 503
    return jsonify(received=outcome)


@bp.post("/staff/preorders/<int:order_id>/refund")
@staff_required
def refund(order_id):
    back = url_for("orders.show", order_id=order_id)
    try:
        amount = cents(form_text("amount"), form_text("currency", "CNY"))
        refunds.refund_order(order_id, current_user, amount, form_text("reason"),
                             request_key=form_text("request_key") or None)
    except (DomainError, WTFormsValidationError) as error:
        if getattr(error, "status", None) == 404:
            abort(404)
        flash(getattr(error, "message", None) or str(error), "error")
        return redirect(back)
    flash(_("Refund queued; the buyer sees it on the order once the provider confirms."), "success")
    return redirect(back)


@bp.post("/staff/payments/actions/retry")
@staff_required
def retry_actions():
    ids = request.form.getlist("id", type=int)
    retried = actions.retry(ids or None)
    flash(ngettext("%(num)d payment action queued again.", "%(num)d payment actions queued again.",
                   retried), "success")
    return redirect(url_for("jobs.index"))


# ---- the dummy gateway: the page a test-mode gateway would host ---------------

def _dummy_charge(ref):
    charge = providers.get("dummy").charge(ref)
    if charge is None:
        abort(404)
    return charge


def _deliver(events):
    """The gateway tells the store, through the webhook path every provider uses."""
    dummy = providers.get("dummy")
    webhooks.receive("dummy", *dummy.notification(events))


@gateway.get("/payments/dummy/checkout/<ref>")
def checkout_page(ref):
    return render_template("products/payments/dummy_checkout.html", charge=_dummy_charge(ref))


@gateway.post("/payments/dummy/checkout/<ref>")
def submit_card(ref):
    charge = _dummy_charge(ref)
    try:
        events = providers.get("dummy").pay(ref, form_text("card_number"))
    except ProviderError:
        flash(_("This payment is not waiting for a card."), "error")
        return redirect(charge.return_url)
    return _after(ref, events)


def _after(ref, events):
    _deliver(events)
    charge = _dummy_charge(ref)
    if charge.status == "requires_action":
        return redirect(url_for("dummy_gateway.checkout_page", ref=ref))
    if charge.status == "requires_payment_method":
        flash(_("Your card was declined. Try another card."), "error")
        return redirect(url_for("dummy_gateway.checkout_page", ref=ref))
    return redirect(charge.return_url)


@gateway.post("/payments/dummy/checkout/<ref>/confirm")
def confirm(ref):
    _dummy_charge(ref)
    try:
        events = providers.get("dummy").confirm(ref, form_text("decision") == "approve")
    except ProviderError:
        abort(409)
    return _after(ref, events)
