"""Whole pages, kept while nothing they show changes and shared by everyone who sees the same.

Most readers of a community are not signed in, and what they see depends only on the
URL, the language, the database, the search index and the clock. A view marked
@public_page is rendered once for them and served from the cache after that:

- keyed by the generation (the cache's namespace, replaced only when the store cannot
  be trusted or a write ran SQL nobody could read), the language, the audience, the
  scheme, host, script root and full path (links come from FANFORGE_SITE_URL,
  community/web/site.py, but nothing a request varies is left out of the key a render is
  stored under), and the page markers' id;
- stored with what it read (community/kernel/dependencies/ notes the keys of its SQL as
  it runs: this idea, this thread's posts, this board's list, or a whole table) and the
  write sequence number taken before its first read; a commit moves the versions of the
  keys it wrote. A page is served while none of its keys has a newer version than its
  number, except live figures (info=live() columns: vote counts, units held), which may
  lag by PAGE_CACHE_LIVE_SECONDS. A page drawn while another request's write moved one
  of its keys is not stored at all;
- and if its render asked the time (a campaign or a round that closes at noon), only
  in the minute of the community's clock it was drawn in.

The audience is "visitors", or for a view marked @public_page(members=True) the role of
the signed-in reader: fans share one copy, staff another. What is a reader's own (their
header, votes, likes, follows, edit links, panels) is a hole in the stored page that
community/web/pagecache/holes.py fills per response; a render that reads anything else of its
reader (AudienceView notices) is theirs alone and not stored, and so is one that reads a
table visitors may not see (private_table()).

The per-response bits stay per response: the CSRF token and the once-only submit token
are placeholders in the stored page, filled in for each response (community/web/pagecache/tokens.py);
a page whose render set a cookie, used a WTForms CSRF field or showed flashed messages
is not stored; anything a view does for every view (a product's view counter) is
replayed on a hit (`replay_on_hit`).

Where it lives (FANFORGE_CACHE_URL, community/web/pagecache/stores/): empty is a SQLite file in
the instance folder (every worker on this machine shares it); file:///path,
redis://host:6379/1 for several machines, memory:// for this process only (tests), none
to turn it off. A store that fails is a miss or a skipped write, never an error.
"""

import logging
import time

from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from community.kernel import database, dependencies
from community.kernel.dependencies import ANY, UNKNOWN
from community.kernel.extensions import db

from . import holes
from .audience import (
    FRESH_UNTIL,
    VISITORS,
    PersonalRead,
    end_shared_render,
    guard_shared_render,
    strict,
)
from .audience import audience as audience_of_request
from .markers import markers
from .stores import Drawn, build_store
from .tokens import csrf_token, drawing_holes, fill_tokens

log = logging.getLogger(__name__)
EXTENSION = "fanforge_pagecache"
# How far behind its live figures (vote counts, replies, units held: columns marked
# info={"live": True}) a stored page may be: README says so.
LIVE_SECONDS = 5
MINUTE_FORMAT = "%Y%m%d%H%M"
# What a view asks to have done again when its page comes from the cache, by name.
_HIT_ACTIONS = {}


def public_page(view=None, *, members=False, mimetype="text/html"):
    """Mark a view whose page, for a signed-out visitor, depends only on the URL, the
    language, what is stored and the minute (not on cookies, headers or randomness).

    members=True: signed-in fans share it too, one copy per role, with what is theirs
    left to the page's holes (community/web/pagecache/holes.py). A render that reads anything
    else of its viewer (AudienceView notices) is not stored.

    mimetype: what the view answers, if not a page (an Atom feed, community/web/feeds.py):
    a response of another type is never stored, and a stored one is served as this."""
    def mark(view):
        view.public_page = True
        view.member_page = members
        view.page_mimetype = mimetype
        return view

    return mark(view) if view is not None else mark


def register_hit_action(name, function):
    _HIT_ACTIONS[name] = function


def replay_on_hit(name, *args):
    """Have the registered action `name` run with `args` for every visitor served this
    page from the cache (this render runs it itself)."""
    if g.get("page_cache_key") is not None:
        g.page_cache_actions.append((name, args))


# ---- the store -------------------------------------------------------------

def build_cache(app):
    cfg = app.config
    return build_store(cfg.get("CACHE_URL") or "", instance_path=app.instance_path,
                       ttl=int(cfg.get("PAGE_CACHE_SECONDS", 120)),
                       prefix=cfg.get("CACHE_KEY_PREFIX", "fanforge:page:"),
                       threshold=int(cfg.get("PAGE_CACHE_FILES", 2000)))


def cache(app=None):
    return (app or current_app).extensions[EXTENSION]


def generation(store):
    """The current content generation, or None while the store cannot be trusted."""
    return store.generation()


# ---- serving ---------------------------------------------------------------

def serve_from_cache():
    """before_request: a stored page for this audience that is still fresh, or note that
    this response may be stored (after_request decides) and record what it reads."""
    store = current_app.extensions.get(EXTENSION)
    if store is None or not store.enabled or request.routing_exception is not None:
        return None
    audience = audience_of_request()
    if audience is None:
        return None
    token = store.generation()
    if token is None:  # the store is out of reach: render, and store nothing
        return None
    key = (f"{token}:{get_locale()}:{audience}:{markers().id}:"
           f"{request.scheme}://{request.host}{request.script_root}{request.full_path}")
    found = store.get(key)
    if found is not None and fresh(found):
        for name, args in found.actions:
            _HIT_ACTIONS[name](*args)
        # A hole's kept HTML lives as long as the page it was kept with (holes.remember).
        g.hole_page = (key, found.drawn.seq, frozenset(found.drawn.deps))
        # Its parse is kept under what names this body: the key and when it was drawn.
        response = current_app.response_class(
            _per_response(found.body, (key, found.drawn.seq, found.drawn.born)),
            mimetype=_page_mimetype())
        response.headers["X-Page-Cache"] = "hit"
        g.page_filled = True  # store_page has nothing left to do
        return response
    seq = store.seq()  # taken before the first read: a write after it is seen at storing
    if seq is None:
        return None
    g.page_cache_key, g.page_audience, g.page_cache_actions = key, audience, []
    g.page_seq, g.page_minute, g.hole_page = seq, clock_minute(), (key, seq, None)
    g.page_reads = dependencies.start_recording()
    dependencies.note_identity_map(db.session())
    # Drawn behind guards: what is the reader's own cannot reach the page (audience.py).
    guard_shared_render(audience)
    return None


def fresh(found):
    """Nothing the page read has been written since, but for its live figures, which may
    lag by LIVE_SECONDS; and if it showed the time, the clock is in the same minute."""
    drawn = found.drawn
    if found.moved > drawn.seq or drawn.minute not in (None, clock_minute()):
        return False
    return found.moved_live <= drawn.seq or time.time() - drawn.born < live_seconds()


def live_seconds():
    return current_app.config.get("PAGE_CACHE_LIVE_SECONDS", LIVE_SECONDS)


def clock_minute():
    """The minute of the community's clock a page is stored under."""
    return database.utcnow().strftime(MINUTE_FORMAT)


def restore_viewer(response):
    """after_request, first of the app's: the real user, session and cookies again for
    every other hook."""
    end_shared_render()
    return response


def store_page(response):
    """after_request (runs after every other one): keep a page fit to be shown to the
    rest of its audience, then fill in this viewer's holes and tokens."""
    key = g.get("page_cache_key")
    if (response.mimetype != _page_mimetype() or response.direct_passthrough
            or g.get("page_filled")):
        _stop()
        if not (response.direct_passthrough or response.is_streamed or g.get("page_filled")) \
                and markers().nonce_bytes in response.get_data():
            # Not the view's page type (a feed's 404 is an HTML page): never stored, but
            # drawn with marks all the same, and no mark may leave the server.
            response.set_data(_per_response(response.get_data()))
        return response
    if key is None:
        response.set_data(_per_response(response.get_data()))
        return response
    body = page = response.get_data()
    visitors = g.page_audience == VISITORS
    if visitors:  # every visitor's holes are filled the same way: fill them once, as read
        body = page = _fill(body)
    else:  # a fan's holes are theirs: not what the page read, but kept holes' HTML is
        dependencies.stop_recording()
        body = _fill(body)
    reads = _stop()
    # Error pages too carry placeholders: only a 200 is stored, every page filled in.
    if (request.method == "GET" and response.status_code == 200
            and "Set-Cookie" not in response.headers and not g.get("page_personal")
            and current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") not in g
            and not _private(reads)
            and cache().set(key, page, g.page_cache_actions,
                            Drawn(g.page_seq, time.time(), tuple(sorted(reads.keys)),
                                  g.page_minute if reads.clock else None))):
        response.headers["X-Page-Cache"] = "miss"
    response.set_data(fill_tokens(body))
    return response


def _page_mimetype():
    """What the request's view answers (public_page's mimetype): text/html for pages."""
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "page_mimetype", "text/html")


def _private(reads):
    """A shared render read a table visitors may not see (info={"visitors": False}): the
    page is not shared, and under PAGE_CACHE_STRICT (the tests) that is an error."""
    if not reads.private:
        return False
    if strict():
        raise PersonalRead(f"{request.path}: a page that may be shared read "
                           f"{', '.join(sorted(reads.private_tables))}")
    log.warning("%s read %s: not stored", request.path, ", ".join(sorted(reads.private_tables)))
    return True


def _stop():
    """The end of this request's recording: its Reads, or None."""
    g.pop("page_cache_key", None)
    dependencies.stop_recording()
    return g.pop("page_reads", None)


def _per_response(body, key=None):
    """A stored (under `key`) or just rendered page for this viewer: holes, then tokens."""
    return fill_tokens(_fill(body, key))


def _fill(body, key=None):
    with drawing_holes():  # the user, not current_user: holes ask it a dozen questions
        return holes.fill(body, current_user._get_current_object(), key)


# ---- a commit moves the versions of what it wrote ------------------------------

def _committed(structural, live):
    """After a commit (community/kernel/dependencies/): the keys it wrote move on. A
    store that cannot take them logs it and catches up later (stores/), and the
    request that wrote answers as it would."""
    if not has_app_context():
        return
    store = current_app.extensions.get(EXTENSION)
    if store is None or not store.enabled:
        return
    if UNKNOWN in structural:
        store.new_generation()
    else:
        store.bump(structural | {ANY}, live)
    if live and has_request_context() and request.method not in ("GET", "HEAD") \
            and "_user_id" in session:
        # Read your own writes: whoever moved a figure that may lag (a like, a vote) sees
        # it moved; a GET's own counting (a product's views) is no such write.
        session[FRESH_UNTIL] = time.time() + live_seconds()


def _end_of_request(_error=None):
    dependencies.stop_recording()


def init_app(app):
    """Call before the other extensions register their after_request functions:
    Flask runs those in reverse order, and the page must be stored after all of
    them (one may set a cookie, which makes it unfit to store)."""
    app.config.setdefault("CACHE_URL", "")
    app.extensions[EXTENSION] = build_cache(app)
    app.after_request(store_page)
    app.teardown_request(_end_of_request)
    dependencies.on_commit(_committed)


def init_serving(app):
    """Call last: cached pages are served after the other before_request functions."""
    app.before_request(serve_from_cache)
    app.after_request(restore_viewer)
    # Flask-WTF offers csrf_token() as a global and from a context processor; a context
    # processor registered later wins, and the global serves templates without a context.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(_csrf_in_context)


def _csrf_in_context():
    return {"csrf_token": csrf_token}
