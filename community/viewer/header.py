"""The header's account corner, a hole in every page (base.html, community/web/pagecache/holes.py):
the reader's unread notifications and conversations and whether they checked in today, in
one statement built once, and the corner's HTML, rendered once per reader and state."""

from functools import lru_cache

from flask import current_app, g, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import escape
from sqlalchemy import bindparam, exists, select

from ..engagement import checkin
from ..engagement.models import CheckIn
from ..kernel.reads import rows_of
from ..messages import service as messages
from ..notifications import service as notifications
from ..web.pagecache.markers import markers

EXTENSION = "fanforge_account_nav"

# The figures' columns, for the user bound as :user_id on :day (figure_parameters);
# community/viewer/readers.py reads them in the same statement as the reader.
FIGURES = (
    notifications.UNREAD_COUNT.label("notifications"),
    messages.UNREAD_COUNT.label("conversations"),
    exists().where(CheckIn.user_id == bindparam("user_id"), CheckIn.day == bindparam("day"))
    .label("checked_in"),
)
_FIGURES = select(*FIGURES)


def figure_parameters(user_id):
    """The figures' parameters for a prebuilt statement run on the driver (the day as
    SQLAlchemy binds a date)."""
    return {"user_id": user_id, "day": checkin.today().isoformat()}


def keep_figures(row):
    """Note the figures of a row ending in FIGURES' columns as this request's header."""
    unread, conversations, checked_in = row[-len(FIGURES):]
    g.account_header = {
        "bell": notifications.bell_label(unread) if unread else None,
        "envelope": messages.envelope_label(conversations) if conversations else None,
        "checked_in": bool(checked_in),
    }


def account_header():
    """Template global: {"bell": "3" | "99+" | None, "envelope": ..., "checked_in": bool}
    for the signed-in reader, asked once per request."""
    if "account_header" not in g:
        keep_figures(rows_of(_FIGURES, **figure_parameters(current_user.id))[0])
    return g.account_header


def account_nav(user, _args):
    """The corner for `user`. It depends on nothing but what the key holds (and the page
    it sends back to, and the CSRF token, both filled in per response), so each worker
    keeps the last ones it drew: a visitor's per language, a member's per state."""
    here = request.full_path if request.query_string else request.path
    marks = markers()
    if not user.is_authenticated:
        drawn = current_app.extensions[EXTENSION]((None, str(get_locale()), request.script_root))
        drawn = drawn.replace(_LOGIN_SLOT, str(escape(url_for("accounts.login",
                                                              next=request.path))))
    else:
        figures = account_header()
        drawn = current_app.extensions[EXTENSION](
            (user.id, user.username, user.role, str(get_locale()), request.script_root,
             figures["bell"], figures["envelope"], figures["checked_in"]))
    # Where the corner's forms send the reader back to: filled in per response.
    return {"": drawn.replace(marks.next, str(escape(here)))}


# Where a visitor's corner links to sign in (and back to this page): filled in per response.
_LOGIN_SLOT = "ffslot-login-0c9d41"


def _drawn_nav(key):
    # A visitor's only form here, the language switch, takes no token (i18n.switch).
    return render_template("_account_nav.html", next_path=markers().next,
                           nav_csrf="" if key[0] is None else markers().csrf,
                           login_url=_LOGIN_SLOT)


def init_app(app):
    app.add_template_global(account_header)
    # Per app (tests make many): about 3 KB each.
    app.extensions[EXTENSION] = lru_cache(maxsize=1024)(_drawn_nav)
