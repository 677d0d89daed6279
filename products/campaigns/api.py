"""Campaigns over the JSON API: read one; staff draft, publish and cancel."""

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from community.api.core import api_blueprint, api_user, iso, json_body, require_user, staff_required
from community.api.openapi import api_doc, define_schema
from community.kernel.errors import NotFound, ValidationError
from community.kernel.extensions import db
from community.web.site import absolute_url

from ..catalog.models import Product
from . import service
from .models import CHARGE_MODES, MAX_INCLUDES, STATES

bp = api_blueprint("campaigns_api", __name__)

TIER = {"type": "object",
        "required": ["id", "name", "price_cents", "currency", "limit_units", "reserved_units",
                     "early_until"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                       "price_cents": {"type": "integer", "minimum": 0},
                       "currency": {"type": "string", "minLength": 3, "maxLength": 3},
                       "limit_units": {"type": ["integer", "null"]},
                       "reserved_units": {"type": "integer", "minimum": 0},
                       "early_until": {"type": ["string", "null"], "format": "date-time"},
                       "includes": {"type": "string", "maxLength": MAX_INCLUDES}}}
PAYMENT_TERMS = define_schema("PaymentTerms", {
    "type": "object", "required": ["charge_mode", "deposit_percent", "balance_days", "deposit_refundable"],
    "description": "How the campaign charges: full (now, refunded if it fails), deposit (now; the "
                   "balance within balance_days of success), authorise (held now, charged on "
                   "success) or none (a reservation: no payment).",
    "properties": {"charge_mode": {"type": "string", "enum": list(CHARGE_MODES)},
                   "deposit_percent": {"type": ["integer", "null"]},
                   "balance_days": {"type": ["integer", "null"]},
                   "deposit_refundable": {"type": "boolean"}},
})
CAMPAIGN = define_schema("Campaign", {
    "type": "object",
    "required": ["id", "product", "state", "goal_units", "cap_units", "reserved_units", "backers",
                 "starts_at", "ends_at", "per_buyer_limit", "tiers", "url"],
    "properties": {
        "id": {"type": "integer"},
        "product": {"type": "object", "required": ["id", "slug", "name"], "properties": {
            "id": {"type": "integer"}, "slug": {"type": "string"}, "name": {"type": "string"}}},
        "state": {"type": "string", "enum": [*STATES, "ended"],
                  "description": "'ended' means past its end and about to settle."},
        "goal_units": {"type": "integer"}, "cap_units": {"type": "integer"},
        "reserved_units": {"type": "integer"}, "backers": {"type": "integer"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "per_buyer_limit": {"type": "integer"},
        "tiers": {"type": "array", "items": TIER},
        "url": {"type": "string"},
        "payment": PAYMENT_TERMS,
    },
})
STAMP = {"type": "string", "format": "date-time", "description": "RFC 3339, e.g. 2026-12-01T10:00:00Z"}
NEW_TIER = {"type": "object", "required": ["name", "price_cents", "currency"],
            "additionalProperties": False,
            "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 80},
                           "price_cents": {"type": "integer", "minimum": 0},
                           "currency": {"type": "string", "minLength": 3, "maxLength": 3},
                           "limit_units": {"type": ["integer", "null"], "minimum": 1},
                           "early_until": {"type": ["string", "null"], "format": "date-time"},
                           "includes": {"type": "string", "maxLength": MAX_INCLUDES}}}
NEW_CAMPAIGN = {
    "type": "object", "additionalProperties": False,
    "required": ["goal_units", "cap_units", "starts_at", "ends_at", "per_buyer_limit", "tiers"],
    "properties": {"goal_units": {"type": "integer", "minimum": 1},
                   "cap_units": {"type": "integer", "minimum": 1},
                   "starts_at": STAMP, "ends_at": STAMP,
                   "per_buyer_limit": {"type": "integer", "minimum": 1},
                   "tiers": {"type": "array", "minItems": 1, "maxItems": service.MAX_TIERS,
                             "items": NEW_TIER},
                   "charge_mode": {"type": "string", "enum": list(CHARGE_MODES), "default": "full"},
                   "deposit_percent": {"type": "integer", "minimum": 1, "maximum": 90},
                   "balance_days": {"type": "integer", "minimum": 1, "maximum": 60},
                   "deposit_refundable": {"type": "boolean", "default": True}},
}


def campaign_json(campaign):
    return {
        "id": campaign.id,
        "product": {"id": campaign.product.id, "slug": campaign.product.slug,
                    "name": campaign.product.name},
        "state": campaign.effective_state(), "goal_units": campaign.goal_units,
        "cap_units": campaign.cap_units, "reserved_units": campaign.reserved_units,
        "backers": campaign.backer_count, "starts_at": iso(campaign.starts_at),
        "ends_at": iso(campaign.ends_at), "per_buyer_limit": campaign.per_buyer_limit,
        "tiers": [{"id": t.id, "name": t.name, "price_cents": t.price_cents, "currency": t.currency,
                   "limit_units": t.limit_units, "reserved_units": t.reserved_units,
                   "early_until": iso(t.early_until), "includes": t.includes}
                  for t in campaign.tiers],
        "url": absolute_url("campaigns.show", campaign_id=campaign.id),
        "payment": {"charge_mode": campaign.charge_mode, "deposit_percent": campaign.deposit_percent,
                    "balance_days": campaign.balance_days,
                    "deposit_refundable": campaign.deposit_refundable},
    }


def parse_time(value, field):
    """An RFC 3339 time as naive UTC (what the database keeps)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise ValidationError(_("Give a time like 2026-12-01T10:00:00Z."), field=field) from None
    if moment.tzinfo is None:
        raise ValidationError(_("Give the time with its zone, e.g. a trailing Z for UTC."), field=field)
    return moment.astimezone(UTC).replace(tzinfo=None)


def visible_campaign(campaign_id):
    campaign = service.get_campaign(campaign_id)
    # A draft is as missing to whoever may not see it: no 401 that tells it exists.
    if campaign.state == "draft" and not getattr(api_user(), "is_staff", False):
        raise NotFound(_("No such campaign."))
    return service.refresh(campaign)


@bp.get("/campaigns/<int:campaign_id>")
@api_doc("A campaign: progress, window, limits and tiers", tag="campaigns",
         responses={200: CAMPAIGN}, errors=(404,))
def show(campaign_id):
    return campaign_json(visible_campaign(campaign_id))


@bp.post("/products/<slug>/campaigns")
@api_doc("Staff: draft a campaign for a product", tag="campaigns", request=NEW_CAMPAIGN,
         responses={201: CAMPAIGN}, errors=(404,))
@staff_required
def create(slug):
    body = json_body()
    product = db.session.scalar(select(Product).where(Product.slug == slug))
    if product is None:
        raise NotFound(_("No such product."))
    tiers = [dict(t, early_until=parse_time(t.get("early_until"), "tiers")) for t in body["tiers"]]
    campaign = service.create_campaign(
        product, require_user(), body["goal_units"], body["cap_units"],
        parse_time(body["starts_at"], "starts_at"), parse_time(body["ends_at"], "ends_at"),
        body["per_buyer_limit"], tiers, charge_mode=body.get("charge_mode", "full"),
        deposit_percent=body.get("deposit_percent"), balance_days=body.get("balance_days"),
        deposit_refundable=body.get("deposit_refundable", True))
    return campaign_json(campaign), 201


@bp.post("/campaigns/<int:campaign_id>/publish")
@api_doc("Staff: publish a draft (live, or scheduled until its start)", tag="campaigns",
         responses={200: CAMPAIGN}, errors=(404, 409))
@staff_required
def publish(campaign_id):
    return campaign_json(service.publish(campaign_id, require_user()))


@bp.post("/campaigns/<int:campaign_id>/cancel")
@api_doc("Staff: cancel a campaign and every pre-order in it", tag="campaigns",
         responses={200: CAMPAIGN}, errors=(404, 409))
@staff_required
def cancel(campaign_id):
    return campaign_json(service.cancel(campaign_id, require_user()))
