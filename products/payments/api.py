"""Paying over the JSON API: a checkout (a pre-order placed, and paid for in the same
call when it names an address), a payment for what is due later; staff refund."""

from functools import cache

from flask import request
from flask_babel import gettext as _

from community.api.core import (
    api_blueprint,
    json_body,
    light_user,
    require_user,
    staff_required,
    token_required,
)
from community.api.openapi import api_doc, define_schema
from community.kernel.errors import DomainError
from community.web.site import absolute

from ..orders import referrals
from ..orders import service as orders
from ..orders.api import KEY_HEADER, NEW_ORDER, ORDER, order_json, order_page
from . import checkout, refunds

bp = api_blueprint("payments_api", __name__)

STARTED = define_schema("PaymentStarted", {
    "type": "object", "required": ["id", "purpose", "amount_cents", "currency", "status", "checkout_url"],
    "properties": {
        "id": {"type": "integer"},
        "purpose": {"type": "string", "enum": ["full", "deposit", "balance"]},
        "amount_cents": {"type": "integer"}, "currency": {"type": "string"},
        "status": {"type": "string"},
        "checkout_url": {"type": ["string", "null"],
                         "description": "Send the buyer here to pay (the provider's page)."},
        "qr_code": {"type": ["string", "null"],
                    "description": "WeChat Pay: the code_url to show as a QR code."},
    },
})


PLACED = define_schema("PreOrderPlaced", {"allOf": [ORDER, {
    "type": "object", "required": ["started_payment"],
    "properties": {"started_payment": {
        "oneOf": [STARTED, {"type": "null"}],
        "description": "The payment begun at the provider for what is due, when the request "
                       "named address_id (send the buyer to its checkout_url); else null."}}}]})
NEW_CHECKOUT = {**NEW_ORDER, "properties": {**NEW_ORDER["properties"], "address_id": {
    "type": ["integer", "null"],
    "description": "One of my addresses to ship to: the order keeps a copy, and when the "
                   "campaign takes money the payment starts at once (started_payment), as "
                   "POST /preorders/{id}/pay would. Not part of what the Idempotency-Key "
                   "pins: the same key with another address_id answers the same order, "
                   "shipping there."}}}


@bp.post("/campaigns/<int:campaign_id>/preorders")
@api_doc("Pre-order from a campaign, and start paying it", tag="orders", request=NEW_CHECKOUT,
         responses={201: PLACED, 200: PLACED}, errors=(404, 409),
         headers={KEY_HEADER: {"type": "string", "minLength": 1, "maxLength": orders.MAX_KEY}},
         description="Send a unique Idempotency-Key header (1-64 characters): the same key "
                     "again answers 200 with the same order (and its open payment); with a "
                     "different body, 422. With address_id the order ships there and its "
                     "payment starts in the same call: a checkout is one request. "
                     "409 codes: sold_out, campaign_not_live, limit_reached, early_access_only, "
                     "invalid_f_code, provider_unavailable (the order is placed: send the same "
                     "request again). 422 codes include bad_variant, bad_personalisation and "
                     "currency_not_supported. 404 also for a source the caller cannot see or "
                     "an address that is not mine.")
@token_required
@light_user
def place(campaign_id):
    key = request.headers.get(KEY_HEADER, "")
    if not 1 <= len(key) <= orders.MAX_KEY:
        raise DomainError(_("Send an Idempotency-Key header of 1 to 64 characters."),
                          field=KEY_HEADER, code="idempotency_key_required")
    body = json_body()
    buyer = require_user()
    source = body.get("source") or {"kind": "api", "id": None}
    details = {"referrer_id": referrals.user_id_for(body.get("ref")), "f_code": body.get("f_code"),
               "source_kind": source["kind"], "source_id": source["id"], "ref": body.get("ref"),
               "variant_id": body.get("variant"), "personalisation": body.get("personalisation")}
    args = (campaign_id, buyer, body["tier"], body["quantity"], key)
    page_of = cache(order_page)  # the provider's return link is the answer's checkout_url
    if body.get("address_id") is None:
        (order, created), payment = orders.place_order(*args, **details), None
    else:
        order, created, payment = checkout.place_and_start(
            *args, body["address_id"], page_of, **details)
    return ({**order_json(order, page_of), "started_payment": payment and started_json(payment)},
            201 if created else 200)


def started_json(payment):
    return {"id": payment.id, "purpose": payment.purpose, "amount_cents": payment.amount_cents,
            "currency": payment.currency, "status": payment.status,
            "checkout_url": absolute(payment.checkout_url) if payment.checkout_url else None,
            "qr_code": payment.client_secret if payment.provider == "wechatpay" else None}


PAY = {"type": "object", "additionalProperties": False, "properties": {
    "address_id": {"type": "integer", "description": "One of my addresses: the order keeps a "
                   "copy. Needed before the first payment unless the order has one."}}}


@bp.post("/preorders/<int:order_id>/pay")
@api_doc("Start paying what is due on my pre-order", tag="orders", responses={200: STARTED},
         request=PAY,
         errors=(404, 409, 422),
         description="Answers the provider's checkout link for the amount due now (the whole "
                     "price, the deposit or the balance). Calling it again while that payment is "
                     "open answers the same payment. 409 nothing_due when nothing is due.")
@token_required
def pay(order_id):
    body = json_body() if request.get_data() else {}  # the body is optional
    return started_json(checkout.start(order_id, require_user(), order_page(order_id),
                                       address_id=body.get("address_id")))


REFUND = {"type": "object", "additionalProperties": False, "required": ["amount_cents", "reason"],
          "properties": {"amount_cents": {"type": "integer", "minimum": 1},
                         "reason": {"type": "string", "minLength": 1, "maxLength": refunds.MAX_REASON},
                         "request_key": {"type": "string", "maxLength": 32,
                                         "description": "The same key again refunds once."}}}
REFUNDED = define_schema("RefundQueued", {
    "type": "object", "required": ["order_id", "amount_cents", "currency"],
    "properties": {"order_id": {"type": "integer"}, "amount_cents": {"type": "integer"},
                   "currency": {"type": "string"}}})


@bp.post("/preorders/<int:order_id>/refunds")
@api_doc("Staff: refund an order in full or in part", tag="orders", request=REFUND,
         responses={202: REFUNDED}, errors=(404, 422),
         description="Queues refunds over the order's payments, newest first; the order's "
                     "payment.refunded_cents moves once the provider confirms. The reason is "
                     "logged. 422 refund_too_large past what is left to refund.")
@staff_required
def refund(order_id):
    body = json_body()
    amount = refunds.refund_order(order_id, require_user(), body["amount_cents"], body["reason"],
                                  request_key=body.get("request_key"))
    order = checkout.order_of(order_id)
    return {"order_id": order_id, "amount_cents": amount, "currency": order.currency}, 202
