"""/latest: the whole feed, a page at a time; the home page shows its head."""

from datetime import datetime

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _

from ..web.http import text_arg
from ..web.pagecache import public_page
from . import feed

bp = Blueprint("latest", __name__)

HOME_ITEMS = 8
PER_PAGE = 30


def latest_feed(limit=HOME_ITEMS):
    """Template global for the home page: (items, whether there are more)."""
    items, more = feed.latest(limit)
    return items, more is not None


@bp.get("/latest")
@public_page(members=True)
def index():
    before = None
    raw = text_arg("before", None)
    if raw is not None:
        try:
            before = datetime.fromisoformat(raw)
        except ValueError:
            abort(400, description=_("That page link is broken."))
    items, older = feed.latest(PER_PAGE, before)
    return render_template("community/latest/index.html", items=items, first_page=before is None,
                           older=older.isoformat() if older else None)
