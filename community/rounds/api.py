"""Feedback rounds over the JSON API."""

from ..api.core import api_blueprint, iso
from ..api.openapi import api_doc, define_schema
from ..web.site import absolute_url
from . import service

bp = api_blueprint("rounds_api", __name__)

ROUND = define_schema("Round", {
    "type": "object",
    "required": ["id", "title", "board", "state", "starts_at", "ends_at", "vote_budget", "url"],
    "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"},
        "board": {"type": "object", "required": ["id", "slug"],
                  "properties": {"id": {"type": "integer"}, "slug": {"type": "string"}}},
        "state": {"type": "string", "enum": ["upcoming", "live", "closed"]},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "vote_budget": {"type": ["integer", "null"]},
        "url": {"type": "string"},
    },
})
RESULT = {"type": "object", "required": ["rank", "idea_id", "title", "votes", "accepted"],
          "properties": {"rank": {"type": "integer"}, "idea_id": {"type": "integer"},
                         "title": {"type": "string"}, "votes": {"type": "integer"},
                         "accepted": {"type": "boolean"}}}
ROUND_DETAIL = define_schema("RoundDetail", {"allOf": [ROUND, {
    "type": "object", "required": ["brief_html", "results", "participation", "summary_html"],
    "properties": {
        "brief_html": {"type": "string"},
        "results": {"type": ["array", "null"], "items": RESULT,
                    "description": "The frozen ranking, once the round has closed."},
        "participation": {"type": ["object", "null"], "properties": {
            "fans": {"type": "integer"}, "ideas": {"type": "integer"}, "votes": {"type": "integer"}}},
        "summary_html": {"type": "string"},
    }}]})


def round_json(round_):
    return {"id": round_.id, "title": round_.title,
            "board": {"id": round_.board.id, "slug": round_.board.slug}, "state": round_.state(),
            "starts_at": iso(round_.starts_at), "ends_at": iso(round_.ends_at),
            "vote_budget": round_.vote_budget,
            "url": absolute_url("rounds.show", round_id=round_.id)}


@bp.get("/rounds")
@api_doc("Feedback rounds: live, upcoming and recently closed", tag="rounds",
         responses={200: {"type": "object", "required": ["live", "upcoming", "closed"], "properties": {
             "live": {"type": "array", "items": ROUND}, "upcoming": {"type": "array", "items": ROUND},
             "closed": {"type": "array", "items": ROUND}}}})
def list_rounds():
    return {state: [round_json(r) for r in rounds] for state, rounds in service.rounds_by_state().items()}


@bp.get("/rounds/<int:round_id>")
@api_doc("One round, with its results and participation once closed", tag="rounds",
         responses={200: ROUND_DETAIL}, errors=(404,))
def show(round_id):
    round_ = service.refresh(service.get_round(round_id))
    data = round_json(round_)
    closed = round_.closed_at is not None
    data.update(
        brief_html=round_.brief_html, summary_html=round_.summary_html,
        results=[{"rank": r.rank, "idea_id": r.idea_id, "title": r.idea.title, "votes": r.votes,
                  "accepted": r.accepted} for r in service.standings(round_)] if closed else None,
        participation={"fans": round_.participant_count, "ideas": round_.idea_count,
                       "votes": round_.vote_count} if closed else None,
    )
    return data
