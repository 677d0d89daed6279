"""Backer updates and product follows over the JSON API."""

from community.api.core import (
    USER,
    api_blueprint,
    api_user,
    iso,
    json_body,
    require_user,
    staff_required,
    token_required,
    user_json,
)
from community.api.openapi import api_doc, define_schema

from . import service
from .models import AUDIENCES

bp = api_blueprint("notices_api", __name__)

UPDATE = define_schema("BackerUpdate", {
    "type": "object",
    "required": ["id", "campaign_id", "product_id", "title", "body", "body_html", "audience",
                 "tier_ids", "thread_id", "author", "created_at"],
    "description": "News from staff to a campaign's backers. audience: public (anyone reads "
                   "it) or backers (staff and the campaign's backers only). tier_ids: the tiers "
                   "whose backers were told, null for all.",
    "properties": {
        "id": {"type": "integer"}, "campaign_id": {"type": "integer"},
        "product_id": {"type": "integer"}, "title": {"type": "string"},
        "body": {"type": "string"}, "body_html": {"type": "string"},
        "audience": {"type": "string", "enum": list(AUDIENCES)},
        "tier_ids": {"oneOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "null"}]},
        "thread_id": {"type": ["integer", "null"]}, "author": USER,
        "created_at": {"type": "string", "format": "date-time"},
    },
})
UPDATES = {"type": "object", "required": ["items"],
           "properties": {"items": {"type": "array", "items": UPDATE}}}
NEW_UPDATE = {
    "type": "object", "required": ["title", "body"], "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": service.TITLE_MAX},
        "body": {"type": "string", "minLength": 1, "maxLength": service.BODY_MAX},
        "audience": {"type": "string", "enum": list(AUDIENCES), "default": "public"},
        "tier_ids": {"type": ["array", "null"], "items": {"type": "integer"}, "maxItems": 50,
                     "description": "Tell only these tiers' backers; null or absent: all."},
    },
}
FOLLOWING = {"type": "object", "required": ["following"],
             "properties": {"following": {"type": "boolean"}}}


def update_json(update):
    return {"id": update.id, "campaign_id": update.campaign_id, "product_id": update.product_id,
            "title": update.title, "body": update.body, "body_html": update.body_html,
            "audience": update.audience, "tier_ids": update.tier_ids,
            "thread_id": update.thread_id, "author": user_json(update.author),
            "created_at": iso(update.created_at)}


@bp.get("/campaigns/<int:campaign_id>/updates")
@api_doc("A campaign's updates to backers that the caller may read, newest first "
         "(backers-only ones need a backer's or staff token)", tag="campaigns",
         responses={200: UPDATES}, errors=(404,))
def updates(campaign_id):
    service.campaign_of(campaign_id, api_user())
    return {"items": [update_json(u) for u in service.updates_of(api_user(),
                                                                  campaign_id=campaign_id)]}


@bp.post("/campaigns/<int:campaign_id>/updates")
@api_doc("Staff: post an update to the campaign's backers (each is told once, by the worker)",
         tag="campaigns", request=NEW_UPDATE, responses={201: UPDATE}, errors=(404,))
@staff_required
def post_update(campaign_id):
    body = json_body()
    update = service.post_update(campaign_id, require_user(), body["title"], body["body"],
                                 body.get("audience", "public"), body.get("tier_ids"))
    return update_json(update), 201


@bp.post("/products/<int:product_id>/follow")
@api_doc("Be told when the product's campaign is scheduled or opens", tag="products",
         responses={200: FOLLOWING}, errors=(404,))
@token_required
def follow(product_id):
    service.follow(require_user(), product_id)
    return {"following": True}


@bp.delete("/products/<int:product_id>/follow")
@api_doc("Stop being told about the product's campaigns", tag="products",
         responses={200: FOLLOWING}, errors=(404,))
@token_required
def unfollow(product_id):
    service.unfollow(require_user(), product_id)
    return {"following": False}
