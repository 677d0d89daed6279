"""Paying over the JSON API: start a payment for what is due; staff refund."""

from flask import request

from community.api.core import api_blueprint, json_body, require_user, token_required
from community.api.openapi import api_doc, define_schema
from community.web.site import absolute, absolute_url

from . import checkout

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
    payment = checkout.start(order_id, require_user(),
                             absolute_url("orders.show", order_id=order_id),
                             address_id=body.get("address_id"))
    return {"id": payment.id, "purpose": payment.purpose, "amount_cents": payment.amount_cents,
            "currency": payment.currency, "status": payment.status,
            "checkout_url": absolute(payment.checkout_url) if payment.checkout_url else None,
            "qr_code": payment.client_secret if payment.provider == "wechatpay" else None}
