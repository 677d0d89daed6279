"""The search page and the similar-ideas list the new-idea form asks for while a title
is typed."""

from flask import Blueprint, abort, current_app, render_template
from flask_babel import gettext as _
from flask_babel import ngettext

from ..forum import boards as board_service
from ..ideas.labels import STATUS_NAMES
from ..web.http import page_arg, text_arg
from ..web.pagecache import public_page
from . import search as run_search
from . import similar_ideas
from .registry import KINDS

bp = Blueprint("search", __name__)


def search_args():
    """(q, kinds, board, sort, page) from the query string; bad filters are a 400."""
    kind = text_arg("type", None) or None
    sort = text_arg("sort", None) or "relevance"
    if (kind and kind not in KINDS) or sort not in ("relevance", "date"):
        abort(400, description=_("Unknown type or sort."))
    slug = text_arg("board", None) or None
    board = board_service.get_board(slug) if slug else None
    return text_arg("q"), kind, board, sort, page_arg()


@bp.get("/search")
@public_page(members=True)
def results():
    q, kind, board, sort, page = search_args()
    found = run_search(q, [kind] if kind else None, board.id if board else None, sort, page,
                       current_app.config["PER_PAGE"]) if q.strip() else None
    # Unlisted boards (circles') hold nothing searchable: they are no filter to offer.
    boards = board_service.list_boards()
    return render_template(
        "community/search/results.html", q=q, kind=kind, board=board, sort=sort, found=found,
        kinds=KINDS, kind_names={name: k.label for name, k in KINDS.items()},
        boards=boards, board_names={b.id: b.name for b in boards},
        STATUS_NAMES=STATUS_NAMES,
        sort_names={"relevance": _("Relevance"), "date": _("Newest first")})


@bp.get("/search/similar-ideas")
def similar():
    """JSON for site.js: ideas like the title typed so far (the form works without it)."""
    slug = text_arg("board", None) or None
    board = board_service.get_board(slug) if slug else None
    ideas = similar_ideas(text_arg("title"), board.id if board else None)
    return {"items": [{"id": i.id, "title": i.title, "url": i.url, "status": i.status,
                       "status_label": str(STATUS_NAMES.get(i.status, i.status)),
                       "votes": i.votes, "votes_label": ngettext("%(num)d vote", "%(num)d votes", i.votes),
                       "strong": i.strong} for i in ideas]}
