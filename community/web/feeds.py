"""Atom feeds, drawn with feedgen, and the registry every package adds its feeds to.

A package registers a kind of feed when the app starts:

    feeds.register(app, "releases", loader)

and `loader(key)` gives a Feed (or raises NotFound): key is None at /feeds/<kind>.atom
and the path's last part at /feeds/<kind>/<key>.atom (a board's slug, a product's). The
community registers new ideas, status changes and release notes (community/roadmap/
feeds.py); the store may register its own (a product's backer updates) the same way,
without the community knowing it. Pages link a feed with
`<link rel="alternate" type="application/atom+xml" href="{{ feed_url(kind, key) }}">`.

A feed shows only what any visitor may see, the same to everyone: it is stored for
visitors like a public page (pagecache, with the Atom type), and a loader never reads
its reader. Links and ids are absolute, from FANFORGE_SITE_URL (site.py). The feed's
<updated> is its newest entry's, never the clock's, so two renders of the same rows
are the same bytes.
"""

from datetime import UTC, datetime
from typing import NamedTuple

from feedgen.feed import FeedGenerator
from flask import Blueprint, abort, current_app

from .pagecache import public_page
from .site import absolute, absolute_url

ATOM = "application/atom+xml"
EXTENSION = "fanforge_feeds"
# An empty feed's <updated>: a fixed moment, so it never changes between renders.
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

bp = Blueprint("feeds", __name__)


class Entry(NamedTuple):
    path: str  # the entry's page (url_for's path); its id unless id_path says otherwise
    title: str
    updated: datetime  # UTC (naive means UTC)
    author: str
    content_html: str = ""
    published: datetime | None = None
    id_path: str | None = None  # an entry that shares a page with others: its own id


class Feed(NamedTuple):
    title: str
    path: str  # the page the feed follows (its rel="alternate")
    entries: list
    subtitle: str = ""


def register(app, kind, loader):
    app.extensions.setdefault(EXTENSION, {})[kind] = loader


def feed_url(kind, key=None):
    """Template global: the feed's absolute link."""
    if key is None:
        return absolute_url("feeds.feed", kind=kind)
    return absolute_url("feeds.keyed_feed", kind=kind, key=key)


def _utc(moment):
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def atom(feed, self_url):
    """The feed as Atom bytes."""
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(feed.title)
    if feed.subtitle:
        fg.subtitle(feed.subtitle)
    fg.link(href=self_url, rel="self", type=ATOM)
    fg.link(href=absolute(feed.path), rel="alternate", type="text/html")
    updated = max((_utc(entry.updated) for entry in feed.entries), default=EPOCH)
    fg.updated(updated)
    for entry in feed.entries:
        item = fg.add_entry(order="append")
        link = absolute(entry.path)
        item.id(absolute(entry.id_path) if entry.id_path else link)
        item.title(entry.title)
        item.link(href=link, rel="alternate", type="text/html")
        item.updated(_utc(entry.updated))
        if entry.published is not None:
            item.published(_utc(entry.published))
        item.author(name=entry.author)
        if entry.content_html:
            item.content(entry.content_html, type="html")
    return fg.atom_str(pretty=True)


def _serve(kind, key):
    loader = current_app.extensions.get(EXTENSION, {}).get(kind)
    if loader is None:
        abort(404)
    self_url = feed_url(kind, key)
    return current_app.response_class(atom(loader(key), self_url), mimetype=ATOM)


@bp.get("/feeds/<kind>.atom")
@public_page(mimetype=ATOM)
def feed(kind):
    return _serve(kind, None)


@bp.get("/feeds/<kind>/<key>.atom")
@public_page(mimetype=ATOM)
def keyed_feed(kind, key):
    return _serve(kind, key)


def init_app(app):
    app.register_blueprint(bp)
    app.add_template_global(feed_url)



