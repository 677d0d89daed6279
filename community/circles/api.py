"""Circles over the JSON API: the list, starting one, one circle, joining and leaving,
invitation links, and a circle's threads. Each route finds the circle through access.py
before it reads a body, so a private circle is a 404 to outsiders whatever they send."""

from flask import request
from flask_babel import gettext as _

from ..api.core import (
    USER,
    api_blueprint,
    api_user,
    iso,
    json_body,
    page_args,
    page_json,
    require_user,
    token_required,
    user_json,
)
from ..api.openapi import HELD, api_doc, define_schema, page_of
from ..kernel.errors import DomainError
from ..web.http import json_value, text_arg
from ..web.site import absolute_url
from . import access, invites, service, threads
from .models import KINDS, VISIBILITIES

bp = api_blueprint("circles_api", __name__)

CIRCLE = define_schema("Circle", {
    "type": "object",
    "required": ["id", "slug", "name", "description", "kind", "city", "visibility",
                 "member_count", "thread_count", "owner", "url", "created_at", "role"],
    "properties": {
        "id": {"type": "integer"}, "slug": {"type": "string"}, "name": {"type": "string"},
        "description": {"type": "string"},
        "kind": {"type": "string", "enum": list(KINDS)},
        "city": {"type": ["string", "null"]},
        "visibility": {"type": "string", "enum": list(VISIBILITIES)},
        "member_count": {"type": "integer", "minimum": 0},
        "thread_count": {"type": "integer", "minimum": 0},
        "owner": USER, "url": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "role": {"type": ["string", "null"], "enum": ["owner", "moderator", "member", None],
                 "description": "The caller's role; null when not a member or without a token."},
    },
})
NEW_CIRCLE = {
    "type": "object", "required": ["name", "slug"], "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 2, "maxLength": 100},
        "slug": {"type": "string", "minLength": 2, "maxLength": 64},
        "description": {"type": "string", "maxLength": 2000},
        "kind": {"type": "string", "enum": list(KINDS), "default": "interest"},
        "city": {"type": ["string", "null"], "maxLength": 64},
        "visibility": {"type": "string", "enum": list(VISIBILITIES), "default": "open"},
    },
}
MEMBERSHIP = define_schema("CircleMembership", {
    "type": "object", "required": ["status"],
    "properties": {"status": {"type": "string", "enum": ["joined", "requested", "member", "left"]}}})
JOIN = {"type": "object", "additionalProperties": False,
        "properties": {"invite": {"type": ["string", "null"], "maxLength": 64}}}
INVITE = define_schema("CircleInvite", {
    "type": "object", "required": ["token", "url", "expires_at", "max_uses"],
    "properties": {"token": {"type": "string"}, "url": {"type": "string"},
                   "expires_at": {"type": "string", "format": "date-time"},
                   "max_uses": {"type": "integer", "minimum": 1}}})
NEW_INVITE = {
    "type": "object", "additionalProperties": False,
    "properties": {"expires_in_hours": {"type": "integer", "minimum": 1, "maximum": 720},
                   "max_uses": {"type": "integer", "minimum": 1, "maximum": 1000}}}
CIRCLE_THREAD = define_schema("CircleThread", {
    "type": "object",
    "required": ["id", "title", "author", "reply_count", "pinned", "locked", "created_at",
                 "last_post_at", "url"],
    "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "author": USER,
        "reply_count": {"type": "integer", "minimum": 0}, "pinned": {"type": "boolean"},
        "locked": {"type": "boolean"},
        "created_at": {"type": "string", "format": "date-time"},
        "last_post_at": {"type": "string", "format": "date-time"}, "url": {"type": "string"}}})
NEW_THREAD = {
    "type": "object", "required": ["title", "body"], "additionalProperties": False,
    "properties": {"title": {"type": "string", "minLength": 1, "maxLength": 200},
                   "body": {"type": "string", "minLength": 1, "maxLength": 50_000}}}


def circle_json(circle, member=None):
    return {
        "id": circle.id, "slug": circle.slug, "name": circle.name,
        "description": circle.description, "kind": circle.kind, "city": circle.city,
        "visibility": circle.visibility, "member_count": circle.member_count,
        "thread_count": circle.thread_count, "owner": user_json(circle.owner),
        "url": absolute_url("circles.show", slug=circle.slug),
        "created_at": iso(circle.created_at), "role": member.role if member else None,
    }


def thread_json(circle, thread):
    return {"id": thread.id, "title": thread.title, "author": user_json(thread.author),
            "reply_count": thread.reply_count, "pinned": thread.pinned, "locked": thread.locked,
            "created_at": iso(thread.created_at), "last_post_at": iso(thread.last_post_at),
            "url": absolute_url("circle_threads.thread", slug=circle.slug, thread_id=thread.id)}


def _optional_body():
    return {} if json_value() is None else json_body()


@bp.get("/circles")
@api_doc("Circles by members: listed ones, and the caller's private ones", tag="circles",
         paged=True, responses={200: page_of(CIRCLE)}, query={
             "kind": {"type": "string", "enum": list(KINDS)},
             "city": {"type": "string", "maxLength": 64}})
def list_circles():
    kind = text_arg("kind", None) or None
    if kind and kind not in KINDS:
        raise DomainError(_("Unknown kind or sort."), field="kind", code="bad_query")
    page, per_page = page_args()
    viewer = api_user()
    result = service.visible_circles(viewer, kind, text_arg("city", None) or None, page,
                                     per_page)
    roles = {c.id: role for c, role in service.my_circles(viewer)} if viewer else {}
    return page_json(result, lambda c: dict(circle_json(c), role=roles.get(c.id)))


@bp.post("/circles")
@api_doc("Start a circle (needs the configured level)", tag="circles", request=NEW_CIRCLE,
         responses={201: CIRCLE}, errors=(409,))
@token_required
def create():
    body = json_body()
    user = require_user()
    circle = service.create_circle(user, body["name"], body["slug"], body.get("description", ""),
                                   body.get("kind", "interest"), body.get("city"),
                                   body.get("visibility", "open"))
    return circle_json(circle, access.membership(circle.id, user)), 201


@bp.get("/circles/<slug>")
@api_doc("One circle (a private one is a 404 to non-members)", tag="circles",
         responses={200: CIRCLE}, errors=(404,))
def show(slug):
    return circle_json(*access.get_circle(slug, api_user()))


@bp.route("/circles/<slug>/members", methods=["POST", "DELETE"])
@api_doc("Join (201), ask to join an approval circle (202), or nothing (200: a member "
         "already); an invitation token admits to any circle", tag="circles", request=JOIN,
         responses={201: MEMBERSHIP, 202: MEMBERSHIP, 200: MEMBERSHIP}, errors=(403, 404, 409),
         method="POST")
@api_doc("Leave the circle", tag="circles", responses={200: MEMBERSHIP}, errors=(404, 409),
         method="DELETE")
@token_required
def membership(slug):
    user = require_user()
    if request.method == "DELETE":
        circle, _member = access.get_circle(slug, user)
        service.leave(circle, user)
        return {"status": "left"}
    token = _optional_body().get("invite")
    circle = service.circle_to_join(slug, user, token)
    outcome = service.join(circle, user, token)
    return {"status": outcome}, {"joined": 201, "requested": 202}.get(outcome, 200)


@bp.post("/circles/<slug>/invites")
@api_doc("Moderators: a new invitation link", tag="circles", request=NEW_INVITE,
         responses={201: INVITE}, errors=(404,))
@token_required
def create_invite(slug):
    user = require_user()
    circle, member = access.readable_circle(slug, user)
    access.ensure_moderator(member)
    body = _optional_body()
    invite = invites.create_invite(circle, user, body.get("expires_in_hours", 72),
                                   body.get("max_uses", 10))
    return {"token": invite.token, "url": absolute_url("circles.invite", token=invite.token),
            "expires_at": iso(invite.expires_at), "max_uses": invite.max_uses}, 201


@bp.get("/circles/<slug>/threads")
@api_doc("A circle's threads, pinned first, then latest activity", tag="circles", paged=True,
         responses={200: page_of(CIRCLE_THREAD)}, errors=(404,))
def circle_threads(slug):
    viewer = api_user()
    circle, _member = access.readable_circle(slug, viewer)
    page, per_page = page_args()
    return page_json(threads.circle_threads(circle, viewer, page, per_page),
                     lambda t: thread_json(circle, t))


@bp.post("/circles/<slug>/threads")
@api_doc("Members: open a thread in the circle (202: held for staff to approve)", tag="circles",
         request=NEW_THREAD, responses={201: CIRCLE_THREAD, 202: HELD}, errors=(404,))
@token_required
def new_thread(slug):
    user = require_user()
    circle, member = access.readable_circle(slug, user)
    access.ensure_member(member)
    body = json_body()
    thread = threads.create_thread(circle, user, body["title"], body["body"])
    return thread_json(circle, thread), 201
