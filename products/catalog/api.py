"""Products over the JSON API: the catalog, one product, joining, and staff promotion."""

from flask_babel import gettext as _

from community.api.core import (
    USER,
    api_blueprint,
    iso,
    json_body,
    page_args,
    page_json,
    require_user,
    staff_required,
    token_required,
    user_json,
)
from community.api.openapi import api_doc, define_schema, page_of
from community.forum import boards
from community.kernel.errors import NotFound, ValidationError
from community.web.http import text_arg
from community.web.site import absolute_url

from ..campaigns.api import CAMPAIGN, campaign_json
from ..campaigns.service import current_campaign, refresh
from . import catalog, participation, promotion, variants
from .choosing import unit_price
from .models import STAGES

bp = api_blueprint("products_api", __name__)

PRODUCT = define_schema("Product", {
    "type": "object",
    "required": ["id", "slug", "name", "summary", "stage", "board", "cocreators", "url"],
    "properties": {
        "id": {"type": "integer"}, "slug": {"type": "string"}, "name": {"type": "string"},
        "summary": {"type": "string"}, "stage": {"type": "string", "enum": list(STAGES)},
        "board": {"type": "object", "required": ["id", "slug"],
                  "properties": {"id": {"type": "integer"}, "slug": {"type": "string"}}},
        "cocreators": {"type": "integer", "description": "How many co-creators it has."},
        "url": {"type": "string"},
    },
})
ORIGIN_IDEA = {"type": "object", "required": ["id", "title", "votes", "status", "author"],
               "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                              "votes": {"type": "integer"}, "status": {"type": "string"},
                              "author": USER}}
PRODUCT_DETAIL = define_schema("ProductDetail", {"allOf": [PRODUCT, {
    "type": "object", "required": ["description_html", "origin_ideas", "campaign", "created_at"],
    "properties": {
        "description_html": {"type": "string"},
        "origin_ideas": {"type": "array", "items": ORIGIN_IDEA},
        "campaign": {"oneOf": [CAMPAIGN, {"type": "null"}],
                     "description": "The open campaign, else the latest settled one."},
        "created_at": {"type": "string", "format": "date-time"},
    }}]})
JOINED = {"type": "object", "required": ["joined", "cocreators"],
          "properties": {"joined": {"type": "boolean"}, "cocreators": {"type": "integer"}}}
NEW_PRODUCT = {
    "type": "object", "required": ["name", "slug", "summary", "board", "ideas"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1}, "slug": {"type": "string", "minLength": 1},
        "summary": {"type": "string"}, "description": {"type": "string"},
        "board": {"type": "string", "description": "The board's slug."},
        "ideas": {"type": "array", "minItems": 1, "items": {"type": "integer"}},
    },
}


OPTION = {
    "type": "object",
    "required": ["id", "name", "kind", "required", "max_length", "values", "poll"],
    "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "kind": {"type": "string", "enum": ["choice", "text"]}, "required": {"type": "boolean"},
        "max_length": {"type": ["integer", "null"], "description": "Text options: the most "
                                                                   "characters a buyer types."},
        "values": {"type": "array", "items": {
            "type": "object", "required": ["id", "label"],
            "properties": {"id": {"type": "integer"}, "label": {"type": "string"}}}},
        "poll": {"oneOf": [{"type": "object", "required": ["id", "question", "voters"],
                            "properties": {"id": {"type": "integer"},
                                           "question": {"type": "string"},
                                           "voters": {"type": "integer"}}},
                           {"type": "null"}],
                 "description": "The design poll whose co-creators chose the values."},
    },
}
VARIANT = {
    "type": "object",
    "required": ["id", "sku", "label", "values", "price_delta_cents", "units_left", "sold_out",
                 "prices"],
    "properties": {
        "id": {"type": "integer"}, "sku": {"type": "string"}, "label": {"type": "string"},
        "values": {"type": "array", "items": {"type": "integer"},
                   "description": "The ids of the option values it is made of."},
        "price_delta_cents": {"type": "integer"},
        "units_left": {"type": ["integer", "null"],
                       "description": "Null when only the campaign's cap limits it."},
        "sold_out": {"type": "boolean"},
        "prices": {"type": "array", "description": "Its unit price in each tier of the "
                                                   "product's campaign (none without one).",
                   "items": {"type": "object", "required": ["tier", "unit_price_cents", "currency"],
                             "properties": {"tier": {"type": "integer"},
                                            "unit_price_cents": {"type": "integer"},
                                            "currency": {"type": "string"}}}},
    },
}
PRODUCT_OPTIONS = define_schema("ProductOptions", {
    "type": "object", "required": ["options", "variants"],
    "properties": {"options": {"type": "array", "items": OPTION},
                   "variants": {"type": "array", "items": VARIANT,
                                "description": "The variants on sale: a pre-order of a "
                                               "product with any names one."}},
})


def options_json(product):
    campaign = current_campaign(product.id)
    tiers = campaign.tiers if campaign else []
    return {
        "options": [{"id": o.id, "name": o.name, "kind": o.kind, "required": o.required,
                     "max_length": o.max_length,
                     "values": [{"id": v.id, "label": v.label} for v in o.values],
                     "poll": {"id": o.source_poll.id, "question": o.source_poll.question,
                              "voters": o.source_poll.vote_count} if o.source_poll else None}
                    for o in variants.options_of(product.id)],
        "variants": [{"id": v.id, "sku": v.sku, "label": v.label,
                      "values": sorted(v.value_ids), "price_delta_cents": v.price_delta_cents,
                      "units_left": v.units_left, "sold_out": v.sold_out,
                      "prices": [{"tier": t.id, "currency": t.currency,
                                  "unit_price_cents": unit_price(t.price_cents, v.price_delta_cents)}
                                 for t in tiers]}
                     for v in variants.variants_of(product.id, active_only=True)],
    }


def product_json(product):
    return {"id": product.id, "slug": product.slug, "name": product.name, "summary": product.summary,
            "stage": product.stage, "board": {"id": product.board.id, "slug": product.board.slug},
            "cocreators": product.cocreator_count,
            "url": absolute_url("catalog.show", slug=product.slug)}


def detail_json(product):
    campaign = current_campaign(product.id)
    data = product_json(product)
    data.update(
        description_html=product.description_html, created_at=iso(product.created_at),
        origin_ideas=[{"id": i.id, "title": i.title, "votes": i.votes, "status": i.status,
                       "author": user_json(i.author)} for i in catalog.origin_ideas(product.id)],
        campaign=campaign_json(refresh(campaign)) if campaign else None,
    )
    return data


@bp.get("/products")
@api_doc("Products, newest first, optionally of one stage", tag="products", paged=True,
         responses={200: page_of(PRODUCT)}, errors=(404,),
         query={"stage": {"type": "string", "enum": list(STAGES)}})
def index():
    page, per_page = page_args()
    return page_json(catalog.list_products(text_arg("stage", None) or None, page, per_page),
                     product_json)


@bp.get("/products/<slug>")
@api_doc("One product with its origin ideas, co-creator count and campaign", tag="products",
         responses={200: PRODUCT_DETAIL}, errors=(404,))
def show(slug):
    return detail_json(catalog.get_product(slug))


@bp.get("/products/<slug>/options")
@api_doc("A product's options (choices and texts) and the variants on sale, with units left "
         "and prices", tag="products", responses={200: PRODUCT_OPTIONS}, errors=(404,))
def options(slug):
    return options_json(catalog.get_product(slug))


@bp.post("/products/<slug>/participants")
@api_doc("Join a product as a co-creator: needs a confirmed address and a vote or post on "
         "its ideas or thread, or the configured level (403 email_unverified or "
         "contribution_required otherwise)", tag="products",
         responses={201: JOINED, 200: JOINED}, errors=(403, 404, 409))
@token_required
def join(slug):
    product = catalog.get_product(slug)
    joined = participation.join(product, require_user())
    product = catalog.get_product(slug)
    return {"joined": True, "cocreators": product.cocreator_count}, 201 if joined else 200


@bp.post("/products")
@api_doc("Staff: promote ideas into a product", tag="products", request=NEW_PRODUCT,
         responses={201: PRODUCT_DETAIL}, errors=(409,))
@staff_required
def create():
    body = json_body()
    try:
        board = boards.get_board(body["board"])
    except NotFound:
        raise ValidationError(_("No such board."), field="board") from None
    product = promotion.promote(require_user(), body["ideas"], body["name"], body["slug"],
                                body["summary"], body.get("description", ""), board_id=board.id)
    return detail_json(product), 201
