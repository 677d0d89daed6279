"""Ideas over the JSON API: lists, proposing, one idea, votes and staff statuses."""

from flask import request
from flask_babel import gettext as _

from ..api.core import (
    USER,
    api_blueprint,
    api_user,
    iso,
    json_body,
    light_user,
    page_args,
    page_json,
    require_user,
    staff_required,
    token_required,
    user_json,
)
from ..api.openapi import HELD, api_doc, define_schema, page_of
from ..forum import boards
from ..forum import service as forum
from ..kernel.errors import DomainError
from ..web.http import text_arg
from ..web.site import absolute
from ..web.templating import url_pattern
from . import lists, service, statuses
from .models import STATUSES

bp = api_blueprint("ideas_api", __name__)

IDEA = define_schema("Idea", {
    "type": "object",
    "required": ["id", "title", "status", "votes", "author", "board", "tags", "created_at", "url",
                 "voted"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "status": {"type": "string", "enum": list(STATUSES)},
        "votes": {"type": "integer", "minimum": 0},
        "author": USER,
        "board": {"type": "object", "required": ["id", "slug"],
                  "properties": {"id": {"type": "integer"}, "slug": {"type": "string"}}},
        "tags": {"type": "array", "items": {"type": "string"}},
        "created_at": {"type": "string", "format": "date-time"},
        "url": {"type": "string"},
        "voted": {"type": "boolean", "description": "Whether the caller has voted; false without a token."},
    },
})
CHANGE = {"type": "object", "required": ["from", "to", "response_html", "by", "at"], "properties": {
    "from": {"type": "string"}, "to": {"type": "string"}, "response_html": {"type": "string"},
    "by": USER, "at": {"type": "string", "format": "date-time"}}}
IDEA_DETAIL = define_schema("IdeaDetail", {"allOf": [IDEA, {
    "type": "object",
    "required": ["body_html", "official_responses", "status_history", "merged_into"],
    "properties": {
        "body_html": {"type": "string"},
        "official_responses": {"type": "array", "items": CHANGE},
        "status_history": {"type": "array", "items": CHANGE},
        "merged_into": {"type": ["integer", "null"]},
    }}]})
NEW_IDEA = {
    "type": "object", "required": ["board", "title", "body"], "additionalProperties": False,
    "properties": {
        "board": {"type": "string", "description": "The board's slug."},
        "title": {"type": "string", "minLength": 5, "maxLength": 120},
        "body": {"type": "string", "minLength": 1, "maxLength": 50_000},
        "tags": {"type": "array", "maxItems": 5, "items": {"type": "string"}},
        "round": {"type": "integer", "description": "A live feedback round of the board."},
    },
}
VOTE_STATE = define_schema("VoteState", {
    "type": "object", "required": ["voted", "votes"],
    "properties": {"voted": {"type": "boolean"}, "votes": {"type": "integer", "minimum": 0}}})
STATUS_CHANGE = {
    "type": "object", "required": ["status", "response"], "additionalProperties": False,
    "properties": {"status": {"type": "string"}, "response": {"type": "string", "minLength": 1}},
}


def idea_json(idea, voted=False, show_url=None):
    """`show_url`: show_url_pattern(), for a list that turns many ideas into JSON."""
    return {
        "id": idea.id, "title": idea.title, "status": idea.status, "votes": idea.votes,
        "author": user_json(idea.author), "board": {"id": idea.board.id, "slug": idea.board.slug},
        "tags": [t.name for t in idea.tags], "created_at": iso(idea.created_at),
        "url": (show_url or show_url_pattern()) % idea.id, "voted": voted,
    }


def show_url_pattern():
    """An idea's absolute link with its id left open as %d (absolute_url, built once)."""
    return absolute(url_pattern("ideas.show", "idea_id"))


def change_json(change):
    return {"from": change.from_status, "to": change.to_status, "response_html": change.response_html,
            "by": user_json(change.actor), "at": iso(change.created_at)}


@bp.get("/ideas")
@api_doc("Ideas, hot, top or new, filtered by board, status and tag", tag="ideas", paged=True,
         responses={200: page_of(IDEA)}, errors=(404,), query={
             "sort": {"type": "string", "enum": list(lists.SORTS), "default": "hot"},
             "period": {"type": "string", "enum": list(lists.PERIODS), "default": "all"},
             "status": {"type": "string", "enum": list(STATUSES)},
             "board": {"type": "string", "description": "A board's slug."},
             "tag": {"type": "string"}})
def list_ideas():
    page, per_page = page_args()
    sort, period, status = text_arg("sort", "hot"), text_arg("period", "all"), text_arg("status")
    if sort not in lists.SORTS or period not in lists.PERIODS or (status and status not in STATUSES):
        raise DomainError(_("Unknown sort, period or status."), field="sort", code="bad_query")
    slug, tag = text_arg("board"), text_arg("tag")
    board = boards.get_board(slug) if slug else None
    board_id = board.id if board else None
    tag_ids = lists.find_tag_ids(board_id, tag) if tag else None
    viewer = api_user()
    result = lists.list_ideas(sort, board_id, status or None, tag_ids, period, page, per_page,
                              include_hidden=bool(viewer and viewer.is_staff))
    voted = service.voted_ids(viewer, [i.id for i in result.items])
    show_url = show_url_pattern()
    return page_json(result, lambda idea: idea_json(idea, idea.id in voted, show_url))


@bp.post("/ideas")
@api_doc("Propose an idea on a board (202: held for staff to approve)", tag="ideas",
         request=NEW_IDEA, responses={201: IDEA_DETAIL, 202: HELD},
         errors=(404, 409))
@token_required
def propose():
    body = json_body()
    board = boards.get_board(body["board"])
    idea = service.propose(board, require_user(), body["title"], body["body"], body.get("tags") or (),
                           body.get("round"))
    return detail_json(idea), 201


def detail_json(idea):
    changes = statuses.timeline(idea)
    data = idea_json(idea, bool(service.voted_ids(api_user(), [idea.id])))
    data.update(
        body_html=forum.opening_post(idea.thread).body_html,
        official_responses=[change_json(c) for c in changes if c.response],
        status_history=[change_json(c) for c in changes],
        merged_into=idea.merged_into_id,
    )
    return data


@bp.get("/ideas/<int:idea_id>")
@api_doc("One idea with its body, official responses and status history", tag="ideas",
         responses={200: IDEA_DETAIL}, errors=(404,))
def show(idea_id):
    return detail_json(lists.idea_page(idea_id, api_user()))


@bp.route("/ideas/<int:idea_id>/vote", methods=["PUT", "DELETE"])
@api_doc("Vote for an idea (idempotent)", tag="ideas", responses={200: VOTE_STATE},
         errors=(404, 409), method="PUT")
@api_doc("Withdraw a vote (idempotent)", tag="ideas", responses={200: VOTE_STATE},
         errors=(404, 409), method="DELETE")
@token_required
@light_user
def vote(idea_id):
    user = require_user()
    if request.method == "PUT":
        return {"voted": True, "votes": service.vote(idea_id, user)}
    return {"voted": False, "votes": service.unvote(idea_id, user)}


@bp.post("/ideas/<int:idea_id>/status")
@api_doc("Staff: set an idea's status with an official response", tag="ideas",
         request=STATUS_CHANGE, responses={200: IDEA_DETAIL}, errors=(404, 409))
@staff_required
def change_status(idea_id):
    body = json_body()
    statuses.change_status(idea_id, require_user(), body["status"], body["response"])
    return detail_json(service.get_idea(idea_id, api_user()))
