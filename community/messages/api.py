"""Conversations over the JSON API: the list, starting one, reading and sending messages
(or cards), and blocking. A conversation someone is not in is a 404, whatever they send."""

from flask import request
from flask_babel import gettext as _

from .. import cards
from ..api.core import (
    USER,
    api_blueprint,
    iso,
    json_body,
    page_args,
    page_json,
    require_user,
    token_required,
    user_json,
)
from ..api.openapi import api_doc, define_schema, page_of
from ..web import ratelimits
from ..web.http import int_arg
from ..web.site import absolute_url
from . import access, blocks, sending, service
from .models import KINDS

bp = api_blueprint("messages_api", __name__)

CONVERSATION = define_schema("Conversation", {
    "type": "object",
    "required": ["id", "kind", "title", "participants", "unread", "muted", "last_message_id",
                 "last_message_at", "url"],
    "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string", "enum": list(KINDS)},
        "title": {"type": ["string", "null"]},
        "participants": {"type": "array", "items": {"type": "string"},
                         "description": "Usernames of the others in it."},
        "unread": {"type": "boolean"}, "muted": {"type": "boolean"},
        "last_message_id": {"type": "integer"},
        "last_message_at": {"type": "string", "format": "date-time"}, "url": {"type": "string"},
    },
})
NEW_CONVERSATION = {
    "type": "object", "required": ["participants"], "additionalProperties": False,
    "properties": {
        "participants": {"type": "array", "minItems": 1, "maxItems": 49,
                         "items": {"type": "string", "maxLength": 32}},
        "title": {"type": ["string", "null"], "maxLength": 100,
                  "description": "Makes a group; one participant and no title is a direct "
                                 "conversation (the existing one, 200, if there is one)."},
    },
}
CARD = define_schema("Card", {
    "type": "object", "required": ["kind", "id", "available", "title", "url", "figures"],
    "properties": {
        "kind": {"type": "string", "description": "idea, product or campaign."},
        "id": {"type": "integer"},
        "available": {"type": "boolean", "description": "False once the caller cannot see it."},
        "title": {"type": ["string", "null"]}, "url": {"type": ["string", "null"]},
        "figures": {"type": "object", "description": "Live: votes; units, goal, left, "
                                                     "seconds left."},
    },
})
MESSAGE = define_schema("Message", {
    "type": "object",
    "required": ["id", "conversation_id", "author", "body_html", "card", "hidden", "created_at"],
    "properties": {
        "id": {"type": "integer"}, "conversation_id": {"type": "integer"}, "author": USER,
        "body_html": {"type": "string"}, "card": {"oneOf": [CARD, {"type": "null"}]},
        "hidden": {"type": "boolean"}, "created_at": {"type": "string", "format": "date-time"},
    },
})
NEW_MESSAGE = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "body": {"type": "string", "maxLength": 10_000},
        "share": {"type": "object", "required": ["kind", "id"], "additionalProperties": False,
                  "properties": {"kind": {"type": "string", "enum": ["idea", "product", "campaign"]},
                                 "id": {"type": "integer"}}},
    },
}
MESSAGES = {"type": "object", "required": ["items", "last_id"], "properties": {
    "items": {"type": "array", "items": MESSAGE}, "last_id": {"type": "integer"}}}
BLOCKED = {"type": "object", "required": ["blocked"], "properties": {"blocked": {"type": "boolean"}}}


def conversation_json(row, names):
    conversation = row.conversation
    return {
        "id": conversation.id, "kind": conversation.kind,
        "title": conversation.title, "participants": names.get(conversation.id, []),
        "unread": row.last_message_id > row.last_read_message_id, "muted": row.muted,
        "last_message_id": conversation.last_message_id,
        "last_message_at": iso(conversation.last_message_at),
        "url": absolute_url("messages.show", conversation_id=conversation.id),
    }


def messages_json(messages, viewer):
    refs = [m.card for m in messages if m.card and not m.hidden]
    found = cards.as_json(refs, viewer) if refs else {}
    return [{"id": m.id, "conversation_id": m.conversation_id, "author": user_json(m.author),
             "body_html": "" if m.hidden else m.body_html,
             "card": found.get(m.card) if m.card and not m.hidden else None,
             "hidden": m.hidden, "created_at": iso(m.created_at)} for m in messages]


@bp.get("/conversations")
@api_doc("My conversations, latest message first", tag="conversations", paged=True,
         responses={200: page_of(CONVERSATION)})
@token_required
def index():
    user = require_user()
    page, per_page = page_args()
    result = service.conversations_of(user, page, per_page)
    names = service.names_in([p.conversation_id for p in result.items], user.id, limit=50)
    return page_json(result, lambda row: conversation_json(row, names))


@bp.post("/conversations")
@api_doc("Start a direct or group conversation", tag="conversations", request=NEW_CONVERSATION,
         responses={201: CONVERSATION, 200: CONVERSATION}, errors=(403,),
         description="403 blocked: someone named does not accept messages from the caller.")
@token_required
def create():
    body = json_body()
    user = require_user()
    conversation, created = service.start(user, body["participants"], body.get("title"))
    _found, row = access.get_conversation(conversation.id, user)
    names = service.names_in([conversation.id], row.user_id, limit=50)
    return conversation_json(row, names), 201 if created else 200


@bp.get("/conversations/<int:conversation_id>/messages")
@api_doc("Messages after an id (oldest first; the latest 50 without one); marks them read",
         tag="conversations", responses={200: MESSAGES}, errors=(404,),
         query={"after": {"type": "integer", "minimum": 0}})
@token_required
def messages(conversation_id):
    user = require_user()
    after = int_arg("after", None, minimum=0, message=_("after must be a message id."))
    if after is None:
        _conversation, row, found, _older = sending.latest(conversation_id, user)
    else:
        row, found = sending.poll(conversation_id, user, after)
    user_id, read_up_to = row.user_id, row.last_read_message_id
    body = {"items": messages_json(found, user),
            "last_id": found[-1].id if found else (after or 0)}
    if found:
        sending.mark_read(conversation_id, user_id, read_up_to, found[-1].id)
    return body


@bp.post("/conversations/<int:conversation_id>/messages")
@api_doc("Send a message (Markdown) and/or share a card", tag="conversations",
         request=NEW_MESSAGE, responses={201: MESSAGE}, errors=(404, 429),
         description="403 blocked when the other fan of a direct conversation blocked the "
                     "caller, banned for a banned account; 422 share_not_visible for a share "
                     "of something the caller cannot see.")
@ratelimits.posting
@token_required
def send(conversation_id):
    user = require_user()
    access.get_conversation(conversation_id, user)
    body = json_body()
    share = body.get("share")
    message = sending.send(conversation_id, user, body.get("body", ""),
                           (share["kind"], share["id"]) if share else None)
    return messages_json([message], user)[0], 201


@bp.route("/users/<username>/block", methods=["PUT", "DELETE"])
@api_doc("Block a fan: they can no longer message you or add you to a group", tag="users",
         responses={200: BLOCKED}, errors=(404,), method="PUT")
@api_doc("Unblock a fan", tag="users", responses={200: BLOCKED}, errors=(404,), method="DELETE")
@token_required
def block(username):
    user = require_user()
    other = service.get_user(username)
    if request.method == "PUT":
        return {"blocked": blocks.block(user, other)}
    return {"blocked": blocks.unblock(user, other)}
