"""Search over the JSON API: GET /api/v1/search."""

from flask_babel import gettext as _

from ..api.core import api_blueprint
from ..api.openapi import api_doc, define_schema
from ..forum import boards
from ..kernel.errors import DomainError
from ..web.http import int_arg, text_arg
from ..web.site import absolute
from . import MAX_PAGE, MAX_QUERY, SORTS, search
from .registry import KINDS

bp = api_blueprint("search_api", __name__)
PER_PAGE = 20

HIT = define_schema("SearchHit", {
    "type": "object",
    "required": ["type", "id", "title", "snippet", "url", "score"],
    "properties": {
        "type": {"type": "string", "description": "idea, thread, reply or product."},
        "id": {"type": "integer"},
        "title": {"type": "string", "description": "Plain text; a reply's is its thread's."},
        "snippet": {"type": "string",
                    "description": "HTML: the matching passage, escaped, with <mark> around "
                                   "matched words."},
        "url": {"type": "string"},
        "score": {"type": "number", "description": "Relevance; 0 when sorted by date."},
    },
})
RESULTS = define_schema("SearchResults", {
    "type": "object",
    "required": ["items", "total", "page"],
    "properties": {
        "items": {"type": "array", "items": HIT},
        "total": {"type": "integer", "minimum": 0},
        "total_exact": {"type": "boolean",
                        "description": "False when total is an upper estimate."},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer"},
        "has_next": {"type": "boolean"},
        "message": {"type": ["string", "null"],
                    "description": "Why there are no results (nothing searchable in q)."},
        "suggestion": {"type": ["string", "null"], "description": "Did you mean this?"},
    },
})


def _bad(message, field):
    return DomainError(message, field=field, code="bad_query")


@bp.get("/search")
@api_doc("Search ideas, threads, replies and products (Chinese and English)", tag="search",
         responses={200: RESULTS}, errors=(404,), query={
             "q": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY,
                   "description": "Words; \"quoted phrase\" (titles), AND, OR, NOT."},
             "type": {"type": "string", "description": "idea, thread, reply or product."},
             "board": {"type": "string", "description": "A board's slug."},
             "sort": {"type": "string", "enum": list(SORTS), "default": "relevance"},
             "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}})
def search_api():
    q = " ".join(text_arg("q").split())
    if not q:
        raise _bad(_("Type a word or two to search for."), "q")
    if len(q) > MAX_QUERY:
        raise _bad(_("Keep the search under %(n)d characters.", n=MAX_QUERY), "q")
    kind, sort = text_arg("type") or None, text_arg("sort") or "relevance"
    if kind is not None and kind not in KINDS:
        raise _bad(_("Use one of: %(values)s.", values=", ".join(KINDS)), "type")
    if sort not in SORTS:
        raise _bad(_("Use one of: %(values)s.", values=", ".join(SORTS)), "sort")
    page = int_arg("page", 1, maximum=MAX_PAGE,
                   message=_("page must be a whole number from 1 to %(n)d.", n=MAX_PAGE))
    slug = text_arg("board")
    board = boards.get_board(slug) if slug else None
    found = search(q, [kind] if kind else None, board.id if board else None, sort, page,
                   PER_PAGE)
    return {
        "items": [{"type": h.kind, "id": h.id, "title": h.doc.shown_title, "snippet": str(h.snippet),
                   "url": absolute(h.url), "score": h.score} for h in found.items],
        "total": found.total, "total_exact": found.total_exact, "page": found.page,
        "per_page": found.per_page, "has_next": found.has_next, "message": found.message,
        "suggestion": found.suggestion,
    }
