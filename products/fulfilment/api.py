"""Fulfilment over the JSON API, for staff: counts, production, shipments one by one or as
a CSV, deliveries."""

from community.api.core import api_blueprint, iso, json_body, require_user, staff_required
from community.api.openapi import api_doc, define_schema

from . import csvfiles, service

bp = api_blueprint("fulfilment_api", __name__)

STEP = {"type": ["string", "null"], "enum": [None, *service.STEPS],
        "description": "null: confirmed, not started yet."}
SHIPMENT = define_schema("Shipment", {
    "type": "object",
    "required": ["order_id", "state", "fulfilment_status", "carrier", "tracking_number",
                 "in_production_at", "shipped_at", "delivered_at", "changed"],
    "properties": {
        "order_id": {"type": "integer"}, "state": {"type": "string"},
        "fulfilment_status": STEP,
        "carrier": {"type": ["string", "null"]}, "tracking_number": {"type": ["string", "null"]},
        "in_production_at": {"type": ["string", "null"], "format": "date-time"},
        "shipped_at": {"type": ["string", "null"], "format": "date-time"},
        "delivered_at": {"type": ["string", "null"], "format": "date-time"},
        "changed": {"type": "boolean", "description": "false: it already was (a repeat)."},
    },
})
COUNTS = {"type": "object",
          "required": ["total", "waiting", *service.STEPS, "without_address"],
          "properties": {name: {"type": "integer", "minimum": 0}
                         for name in ("total", "waiting", *service.STEPS, "without_address")}}
NEW_SHIPMENT = {"type": "object", "required": ["carrier", "tracking_number"],
                "additionalProperties": False,
                "properties": {"carrier": {"type": "string", "maxLength": service.CARRIER_MAX},
                               "tracking_number": {"type": "string", "maxLength": 80}}}
SHIPMENTS_FILE = {"type": "object", "required": ["body"], "additionalProperties": False,
                  "properties": {"body": {"type": "string", "maxLength": 400_000,
                                          "description": "The CSV text: order_id,carrier,"
                                                         "tracking_number lines, a header "
                                                         "line optional."}}}
REPORT = define_schema("ShipmentsReport", {
    "type": "object", "required": ["lines", "shipped", "unchanged", "refused"],
    "properties": {
        "shipped": {"type": "integer"}, "unchanged": {"type": "integer"},
        "refused": {"type": "integer"},
        "lines": {"type": "array", "items": {
            "type": "object", "required": ["line", "order_id", "outcome", "code", "message"],
            "properties": {"line": {"type": "integer"},
                           "order_id": {"type": ["integer", "null"]},
                           "outcome": {"type": "string",
                                       "enum": ["shipped", "unchanged", "refused"]},
                           "code": {"type": ["string", "null"]},
                           "message": {"type": ["string", "null"]}}}},
    },
})


def shipment_json(order, changed):
    return {"order_id": order.id, "state": order.state,
            "fulfilment_status": order.fulfilment_status, "carrier": order.carrier,
            "tracking_number": order.tracking_number,
            "in_production_at": iso(order.in_production_at), "shipped_at": iso(order.shipped_at),
            "delivered_at": iso(order.delivered_at), "changed": changed}


@bp.get("/campaigns/<int:campaign_id>/fulfilment")
@api_doc("A campaign's confirmed pre-orders by fulfilment step", tag="fulfilment",
         responses={200: COUNTS}, errors=(404,))
@staff_required
def counts(campaign_id):
    return service.counts(service.get_campaign(campaign_id).id)


@bp.post("/campaigns/<int:campaign_id>/fulfilment/production")
@api_doc("Put every confirmed pre-order not started yet into production", tag="fulfilment",
         responses={200: {"type": "object", "required": ["moved"],
                          "properties": {"moved": {"type": "integer", "minimum": 0}}}},
         errors=(404,))
@staff_required
def production(campaign_id):
    return {"moved": service.start_production(campaign_id, require_user())}


@bp.post("/campaigns/<int:campaign_id>/shipments")
@api_doc("Mark shipped from a CSV of order_id, carrier, tracking_number", tag="fulfilment",
         request=SHIPMENTS_FILE, responses={200: REPORT}, errors=(404,),
         description="Each line on its own: the report says what was marked and what was "
                     "refused and why (unknown_order, not_confirmed, already_shipped, "
                     "missing_carrier, missing_tracking_number, ...). Sending the same file "
                     "again marks nothing twice. 422 bad_file for a file that cannot be read.")
@staff_required
def shipments(campaign_id):
    body = json_body()
    return csvfiles.import_shipments(campaign_id, require_user(), body["body"].encode())


@bp.post("/preorders/<int:order_id>/shipment")
@api_doc("Mark a confirmed pre-order shipped", tag="fulfilment", request=NEW_SHIPMENT,
         responses={200: SHIPMENT}, errors=(404, 409),
         description="The same carrier and number again is a 200 with changed false; "
                     "another number once shipped is a 409 already_shipped. 409 "
                     "not_confirmed for an order that is not confirmed.")
@staff_required
def ship(order_id):
    body = json_body()
    order, changed = service.ship(order_id, require_user(), body["carrier"],
                                  body["tracking_number"])
    return shipment_json(order, changed)


@bp.post("/preorders/<int:order_id>/delivered")
@api_doc("Mark a shipped pre-order delivered", tag="fulfilment", responses={200: SHIPMENT},
         errors=(404, 409))
@staff_required
def delivered(order_id):
    order, changed = service.deliver(order_id, require_user())
    return shipment_json(order, changed)
