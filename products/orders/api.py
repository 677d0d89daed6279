"""Pre-orders over the JSON API: the order as JSON, mine, one, cancelling one. Placing
one (with its Idempotency-Key) is a checkout, payments/api.py: it can start paying too."""

from community.api.core import (
    USER,
    api_blueprint,
    iso,
    page_args,
    require_user,
    token_required,
    user_json,
)
from community.api.openapi import api_doc, define_schema
from community.web.site import absolute_url

from ..catalog.choosing import texts_of
from . import service, timeline
from .dues import due_now
from .models import PAYMENT_STATUSES, STATES

bp = api_blueprint("orders_api", __name__)

STAMP_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
PAYMENT = define_schema("OrderPayment", {
    "type": "object",
    "required": ["status", "checkout_url", "amount_due", "currency", "pay_by", "paid_cents",
                 "refunded_cents"],
    "description": "status: none (the campaign takes no payment), awaiting, authorised, "
                   "deposit_paid, paid or refunded. checkout_url is the order's page, where the "
                   "buyer pays what is due (POST /api/v1/preorders/{id}/pay starts a payment "
                   "and answers the provider's own checkout link); null when nothing is due. "
                   "pay_by: the units are held until then.",
    "properties": {
        "status": {"type": "string", "enum": list(PAYMENT_STATUSES)},
        "checkout_url": {"type": ["string", "null"]},
        "amount_due": {"type": "integer", "minimum": 0},
        "currency": {"type": "string"},
        "pay_by": STAMP_OR_NULL, "balance_due_by": STAMP_OR_NULL,
        "paid_cents": {"type": "integer"}, "refunded_cents": {"type": "integer"},
    },
})
DELIVERY = define_schema("OrderDelivery", {
    "type": "object", "required": ["status", "carrier", "tracking_number", "ship_to"],
    "description": "status: null (not started), in_production, shipped or delivered. ship_to is "
                   "the order's copy of the address chosen at checkout.",
    "properties": {
        "status": {"type": ["string", "null"]}, "carrier": {"type": ["string", "null"]},
        "tracking_number": {"type": ["string", "null"]},
        "shipped_at": STAMP_OR_NULL, "delivered_at": STAMP_OR_NULL,
        "ship_to": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {
            k: {"type": ["string", "null"]} for k in
            ("name", "phone", "country", "region", "city", "address", "postal_code")}}]},
    },
})
STEP = {"type": "object", "required": ["kind", "label", "at"],
        "properties": {"kind": {"type": "string"}, "label": {"type": "string"}, "at": STAMP_OR_NULL,
                       "amount_cents": {"type": ["integer", "null"]}, "until": STAMP_OR_NULL}}
ORDER = define_schema("PreOrder", {
    "type": "object",
    "required": ["id", "campaign_id", "product", "tier", "quantity", "unit_price_cents", "currency",
                 "total_cents", "state", "created_at", "referrer", "source", "payment"],
    "properties": {
        "id": {"type": "integer"}, "campaign_id": {"type": "integer"},
        "product": {"type": "object", "required": ["slug", "name"],
                    "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}},
        "tier": {"type": "object", "required": ["id", "name"],
                 "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        "quantity": {"type": "integer", "minimum": 1},
        "unit_price_cents": {"type": "integer"}, "currency": {"type": "string"},
        "total_cents": {"type": "integer"},
        "state": {"type": "string", "enum": list(STATES)},
        "created_at": {"type": "string", "format": "date-time"},
        "referrer": {"oneOf": [USER, {"type": "null"}]},
        "source": {"type": "object", "required": ["kind", "id"],
                   "properties": {"kind": {"type": "string"}, "id": {"type": ["integer", "null"]}}},
        "payment": PAYMENT,
        "delivery": DELIVERY,
        "timeline": {"type": "array", "items": STEP,
                     "description": "GET /preorders/{id} only: the order's steps, then those to come."},
        "variant": {"oneOf": [{"type": "object", "required": ["id", "label"],
                               "properties": {"id": {"type": ["integer", "null"]},
                                              "label": {"type": "string"}}},
                              {"type": "null"}],
                    "description": "The variant chosen, with its label as it read then."},
        "personalisation": {"type": "object", "additionalProperties": {"type": "string"},
                            "description": "The buyer's text for each text option, by name."},
    },
})
NEW_ORDER = {
    "type": "object", "required": ["tier", "quantity"], "additionalProperties": False,
    "properties": {
        "tier": {"type": "integer"}, "quantity": {"type": "integer"},
        "ref": {"type": ["string", "null"], "description": "A referral code."},
        "f_code": {"type": ["string", "null"], "maxLength": 24},
        "variant": {"type": ["integer", "null"],
                    "description": "One of the product's variants on sale (GET "
                                   "/products/{slug}/options): required when it has any."},
        "personalisation": {"type": ["object", "null"], "additionalProperties": {"type": "string"},
                            "description": "Text for the product's text options, by option "
                                           "name or id, each within its max_length."},
        "source": {"type": "object", "required": ["kind", "id"], "additionalProperties": False,
                   "description": "The share card ordered from: the order records the place "
                                  "and the fan who shared the card there as its referrer. A "
                                  "place the caller cannot see is a 404.",
                   "properties": {"kind": {"type": "string", "enum": ["conversation", "circle"]},
                                  "id": {"type": "integer"}}},
    },
}
KEY_HEADER = "Idempotency-Key"


def order_page(order_id):
    """The order's page on the site: where the buyer pays, and the provider sends them back."""
    return absolute_url("orders.show", order_id=order_id)


def order_json(order, page_of=order_page):
    """The order as the PreOrder schema; `page_of(order id)` gives its page's link (a
    checkout passes the one it built for the provider)."""
    return {
        "id": order.id, "campaign_id": order.campaign_id,
        "product": {"slug": order.campaign.product.slug, "name": order.campaign.product.name},
        "tier": {"id": order.tier.id, "name": order.tier.name}, "quantity": order.quantity,
        "unit_price_cents": order.unit_price_cents, "currency": order.currency,
        "total_cents": order.total_cents, "state": order.state, "created_at": iso(order.created_at),
        "referrer": user_json(order.referrer) if order.referrer_id else None,
        "source": {"kind": order.source_kind, "id": order.source_id},
        "payment": payment_json(order, page_of),
        "delivery": delivery_json(order),
        "variant": {"id": order.variant_id, "label": order.variant_label}
        if order.variant_label is not None else None,
        "personalisation": texts_of(order.personalisation),
    }


def delivery_json(order):
    return {"status": order.fulfilment_status, "carrier": order.carrier,
            "tracking_number": order.tracking_number, "shipped_at": iso(order.shipped_at),
            "delivered_at": iso(order.delivered_at),
            "ship_to": None if order.ship_name is None else {
                "name": order.ship_name, "phone": order.ship_phone, "country": order.ship_country,
                "region": order.ship_region, "city": order.ship_city,
                "address": order.ship_address, "postal_code": order.ship_postal_code}}


def payment_json(order, page_of=order_page):
    due = due_now(order)
    return {"status": order.payment_status, "amount_due": due[1] if due else 0,
            "checkout_url": page_of(order.id) if due else None,
            "currency": order.currency, "pay_by": iso(order.pay_by),
            "balance_due_by": iso(order.balance_due_by), "paid_cents": order.paid_cents,
            "refunded_cents": order.refunded_cents}


@bp.get("/me/preorders")
@api_doc("My pre-orders, newest first", tag="orders", paged=True, responses={200: {
    "type": "object", "required": ["items", "page", "per_page", "has_next"],
    "properties": {"items": {"type": "array", "items": ORDER}, "page": {"type": "integer"},
                   "per_page": {"type": "integer"}, "has_next": {"type": "boolean"}}}})
@token_required
def mine():
    page, per_page = page_args()
    rows, has_next = service.orders_of(require_user(), page, per_page)
    return {"items": [order_json(o) for o in rows], "page": page, "per_page": per_page,
            "has_next": has_next}


@bp.get("/preorders/<int:order_id>")
@api_doc("One of my pre-orders with its timeline (anyone else's is a 404)", tag="orders",
         responses={200: ORDER},
         errors=(404,))
@token_required
def show(order_id):
    order = service.get_order(order_id, require_user())
    steps = [{"kind": step.kind, "label": step.label, "at": iso(step.at),
              "amount_cents": step.amount_cents, "until": iso(step.until)}
             for step in timeline.steps(order)]
    return {**order_json(order), "timeline": steps}


@bp.post("/preorders/<int:order_id>/cancel")
@api_doc("Cancel my pre-order while its campaign is live", tag="orders", responses={200: ORDER},
         errors=(404, 409))
@token_required
def cancel(order_id):
    return order_json(service.cancel_order(order_id, require_user()))
