"""The phone shell around every page (templates/base.html): the bottom tab bar, its unread
badge, and "Me", the page that gathers what is the reader's own.

The tab bar is part of every shared render, so it holds nothing of its reader: which tab
is lit follows from the page's endpoint alone, and the badge on "Me" is a hole
(``per_user('tab_badge', 'me')``) filled per response from the same figures as the header's
bell (community/viewer/header.py account_header: one statement, asked once per request)."""

from functools import lru_cache

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from ..accounts import service as accounts
from ..circles import service as circles
from ..engagement.story import profile_story
from .header import account_header

bp = Blueprint("me", __name__)

# Blueprint (or "blueprint.endpoint") -> the tab it belongs under; the longest name wins.
TABS = {
    "forum": "home", "search": "home", "feeds": "home", "latest": "home",
    "ideas": "ideas", "rounds": "ideas", "roadmap": "ideas", "posters": "ideas",
    "catalog": "products", "campaigns": "products", "reviews": "products", "notices": "products",
    "trials": "products", "share": "products", "payments": "products", "dummy_gateway": "products",
    "circles": "circles", "circle_events": "circles", "circle_threads": "circles",
    "me": "me", "accounts": "me", "notifications": "me", "messages": "me", "orders": "me",
    "addresses": "me", "engagement": "me",
    "accounts.login": "me", "accounts.register": "me",
    "engagement.leaderboard": "home",
}


def shell_tab():
    """Template global: the tab of the page being drawn ("" for none), from its endpoint
    only, so a shared render lights the same tab for everyone."""
    endpoint = request.endpoint or ""
    if endpoint in TABS:
        return TABS[endpoint]
    return TABS.get(endpoint.partition(".")[0], "")


# The tabs' pages: their links are lit (aria-current="page") on the page itself.
_TAB_ENDPOINTS = ("forum.index", "ideas.index", "catalog.index", "circles.index", "me.me")
KEPT = "fanforge_site_parts"


def site_foot():
    """Template global: base.html's foot (templates/_site_foot.html: the footer, the tab bar
    and the shortcuts' help), the same for every reader: it follows from the language, the
    script root, the tab and whether this page is a tab's own, so each worker keeps the
    ones it drew instead of drawing some 20 links and labels for every page."""
    root, path = request.script_root, request.path
    urls = current_app.extensions[KEPT]["urls"].get(root)
    if urls is None:  # per script root: the tabs' URLs as url_for gives them
        urls = current_app.extensions[KEPT]["urls"][root] = frozenset(
            url_for(endpoint) for endpoint in _TAB_ENDPOINTS)
    return current_app.extensions[KEPT]["drawn"](
        (str(get_locale()), root, shell_tab(), path if path in urls else None))


def _drawn_foot(_key):
    # bandit B704, reviewed: an autoescaped template's output.
    return Markup(render_template("_site_foot.html"))  # nosec B704


# base.html's parts that follow from the language and the script root alone.
PARTS = ("links", "top")


def site_part(name):
    """Template global: templates/_site_<name>.html, kept per worker by language and script
    root (the same for every reader and page)."""
    if name not in PARTS:
        raise KeyError(f"no site part {name!r}")
    return current_app.extensions[KEPT]["parts"]((name, str(get_locale()), request.script_root))


def _drawn_part(key):
    # bandit B704, reviewed: an autoescaped template's output.
    return Markup(render_template(f"_site_{key[0]}.html"))  # nosec B704


def tab_badge_holes(user, args):
    """The unread count on "Me": conversations with new messages plus unread notifications,
    the header's figures for this reader (labels such as "99+" stay labels)."""
    if not user.is_authenticated:
        return {arg: "" for arg in args}
    figures = account_header()
    count = _sum_labels(figures["bell"], figures["envelope"])
    if not count:
        return {arg: "" for arg in args}
    label = escape(_("%(n)s unread", n=count))
    # bandit B704, reviewed: the count is digits (or "99+") and the label is escaped.
    html = Markup(f'<span class="tab-badge" data-testid="tab-badge"><span class="visually-hidden">'  # nosec B704
                  f'{label}</span><span aria-hidden="true">{escape(count)}</span></span>')
    return {arg: html for arg in args}


def _sum_labels(*labels):
    """"3" + "2" -> "5"; a capped label ("99+") caps the sum; None counts nothing."""
    total, capped = 0, False
    for label in labels:
        if not label:
            continue
        capped = capped or label.endswith("+")
        total += int(label.rstrip("+"))
    if not total:
        return ""
    return f"{total}+" if capped else str(total)


@bp.get("/me")
@login_required
def me():
    """Everything that is the reader's own, one tap from the tab bar: who they are (level,
    medals, streak), what is new for them, their pre-orders, circles and settings."""
    user = accounts.get_by_username(current_user.username)
    return render_template("community/viewer/me.html", user=user, story=profile_story(user),
                           figures=account_header(), circles=circles.my_circles(user)[:5])


def init_app(app):
    app.add_template_global(shell_tab)
    app.add_template_global(site_foot)
    app.add_template_global(site_part)
    # Per app (tests make many): a few KB each.
    app.extensions[KEPT] = {"urls": {}, "drawn": lru_cache(maxsize=256)(_drawn_foot),
                            "parts": lru_cache(maxsize=64)(_drawn_part)}
