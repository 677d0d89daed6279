"""The roadmap and the release notes over the JSON API (read-only: staff write notes on
the site, where the form shows what a note will ship)."""

from flask_babel import gettext as _

from ..api.core import USER, api_blueprint, iso, page_args, page_json, user_json
from ..api.openapi import api_doc, define_schema, page_of
from ..forum import boards
from ..kernel.errors import NotFound
from ..web.http import text_arg
from ..web.site import absolute
from ..web.templating import url_pattern
from . import board, notes
from .labels import COLUMN_NAMES

bp = api_blueprint("roadmap_api", __name__)

CARD = define_schema("RoadmapCard", {
    "type": "object",
    "required": ["id", "title", "status", "votes", "author", "board", "url", "product"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "status": {"type": "string"},
        "votes": {"type": "integer", "minimum": 0,
                  "description": "May lag a few seconds behind the idea's own page."},
        "author": USER,
        "board": {"type": "object", "required": ["id", "slug", "name"], "properties": {
            "id": {"type": "integer"}, "slug": {"type": "string"}, "name": {"type": "string"}}},
        "url": {"type": "string"},
        "product": {"type": ["object", "null"], "required": ["name", "url"],
                    "description": "The product the idea grew into, if any.",
                    "properties": {"name": {"type": "string"}, "url": {"type": "string"}}},
    },
})
ROADMAP = define_schema("Roadmap", {
    "type": "object", "required": ["board", "columns"],
    "properties": {
        "board": {"type": ["string", "null"], "description": "The board filtered on, if any."},
        "columns": {"type": "array", "items": {
            "type": "object", "required": ["key", "label", "statuses", "ideas", "more"],
            "properties": {
                "key": {"type": "string", "enum": [key for key, _ in board.COLUMNS]},
                "label": {"type": "string"},
                "statuses": {"type": "array", "items": {"type": "string"}},
                "ideas": {"type": "array", "items": CARD},
                "more": {"type": "boolean",
                         "description": "More ideas have these statuses than the column shows."},
            }}},
    },
})
RELEASE_NOTE = define_schema("ReleaseNote", {
    "type": "object",
    "required": ["id", "title", "body_html", "published_at", "author", "ideas", "credits", "url"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "body_html": {"type": "string"},
        "published_at": {"type": "string", "format": "date-time"},
        "author": USER,
        "ideas": {"type": "array", "items": {
            "type": "object", "required": ["id", "title", "url"], "properties": {
                "id": {"type": "integer"}, "title": {"type": "string"}, "url": {"type": "string"}}}},
        "credits": {"type": "array", "items": {
            "type": "object", "required": ["user", "kind"], "properties": {
                "user": USER, "kind": {"type": "string", "enum": ["proposer", "cocreator"]}}}},
        "url": {"type": "string"},
    },
})


def card_json(card, idea_url):
    product = card.product
    return {"id": card.id, "title": card.title, "status": card.status, "votes": card.votes,
            "author": user_json(card.author),
            "board": {"id": card.board.id, "slug": card.board.slug, "name": card.board.name},
            "url": idea_url % card.id,
            "product": {"name": product.name, "url": absolute(product.path)} if product else None}


@bp.get("/roadmap")
@api_doc("The roadmap: planned, in-progress and shipped ideas, on every board or one",
         tag="roadmap", responses={200: ROADMAP}, errors=(404,),
         query={"board": {"type": "string", "description": "A board's slug."}})
def roadmap():
    slug = text_arg("board")
    chosen = boards.get_board(slug) if slug else None
    if chosen is not None and not chosen.listed:
        raise NotFound(_("No such board."))
    idea_url = absolute(url_pattern("ideas.show", "idea_id"))
    return {"board": chosen.slug if chosen else None, "columns": [
        {"key": column.key, "label": str(COLUMN_NAMES[column.key]),
         "statuses": list(column.statuses), "more": column.more,
         "ideas": [card_json(card, idea_url) for card in column.cards]}
        for column in board.columns(chosen.id if chosen else None)]}


def note_json(note):
    idea_url = absolute(url_pattern("ideas.show", "idea_id"))
    return {"id": note.id, "title": note.title, "body_html": note.body_html,
            "published_at": iso(note.published_at), "author": user_json(note.author),
            "ideas": [{"id": idea.id, "title": idea.title, "url": idea_url % idea.id}
                      for idea in note.ideas],
            "credits": [{"user": user_json(credit.user), "kind": credit.kind}
                        for credit in note.credits],
            "url": absolute(url_pattern("roadmap.release", "note_id")) % note.id}


@bp.get("/releases")
@api_doc("Release notes, newest first, with the fans each credits", tag="roadmap", paged=True,
         responses={200: page_of(RELEASE_NOTE)})
def releases():
    page, per_page = page_args()
    return page_json(notes.list_notes(page, per_page), note_json)


@bp.get("/releases/<int:note_id>")
@api_doc("One release note", tag="roadmap", responses={200: RELEASE_NOTE}, errors=(404,))
def release(note_id):
    return note_json(notes.get_note(note_id))
