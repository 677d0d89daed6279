"""Whole pages, kept until anything on them changes and shared by everyone who sees the same.

Most readers of a community are not signed in, and what they see depends only on the
URL, the language, the database, the search index and the clock. A view marked
@public_page is rendered once for them and served from the cache after that, keyed by:

- the content generation: a random token in the shared cache that is replaced after
  every commit that wrote a table a visitor can see (search drains commit a delete of
  their outbox rows after the index commit, so they count too). A reader takes the
  token before it reads the database, so a page rendered from older rows is stored
  under a token that is already gone by the time the newer rows are visible;
- the minute on the community's clock, for what changes with time alone (a campaign
  or a round that closes at noon): a page is at most a minute behind its clock;
- the language, the audience, and the scheme, host, script root and full path (links
  come from FANFORGE_SITE_URL, community/web/site.py, but nothing a request varies is left
  out of the key a render is stored under), and the page markers' id.

The audience is "visitors", or for a view marked @public_page(members=True) the role of
the signed-in reader: fans share one copy, staff another. What is a reader's own (their
header, votes, likes, follows, edit links, panels) is a hole in the stored page that
community/web/pagecache/holes.py fills per response; a render that reads anything else of its
reader (AudienceView notices) is theirs alone and not stored.

The per-response bits stay per response: the CSRF token and the once-only submit token
are placeholders in the stored page, filled in for each response (community/web/pagecache/tokens.py);
a page whose render set a cookie, used a WTForms CSRF field or showed flashed messages
is not stored; anything a view does for every view (a product's view counter) is
replayed on a hit (`replay_on_hit`).

Where it lives (FANFORGE_CACHE_URL, community/web/pagecache/stores.py): empty is a SQLite file in
the instance folder (every worker on this machine shares it); file:///path,
redis://host:6379/1 for several machines, memory:// for this process only (tests), none
to turn it off. A store that fails is a miss or a skipped write, never an error.
"""

import re

from flask import current_app, g, has_app_context, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.sql.elements import TextClause

from community.kernel import database
from community.kernel.database import WRITTEN_TABLES, note_written
from community.kernel.extensions import db

from . import holes
from .audience import VISITORS, end_shared_render, guard_shared_render
from .audience import audience as audience_of_request
from .markers import markers
from .stores import build_store
from .tokens import csrf_token, drawing_holes, fill_tokens

EXTENSION = "fanforge_pagecache"
# Tables no signed-out page shows: writing them leaves every stored page as it was.
PRIVATE_TABLES = frozenset({
    "api_tokens", "conversation_participants", "conversations", "job_runs", "mail_outbox",
    "mail_preferences", "message_reports", "messages", "notifications", "user_blocks",
})
_UNKNOWN = "?"  # a statement whose table we cannot name: assume a visible one
_READ_ONLY_SQL = re.compile(r"\s*(SELECT|WITH\s+\w+\s+AS\s*\(\s*SELECT|PRAGMA|EXPLAIN)\b", re.I)
MINUTE_FORMAT = "%Y%m%d%H%M"
# What a view asks to have done again when its page comes from the cache, by name.
_HIT_ACTIONS = {}


def public_page(view=None, *, members=False):
    """Mark a view whose page, for a signed-out visitor, depends only on the URL, the
    language, what is stored and the minute (not on cookies, headers or randomness).

    members=True: signed-in fans share it too, one copy per role, with what is theirs
    left to the page's holes (community/web/pagecache/holes.py). A render that reads anything
    else of its viewer (AudienceView notices) is not stored."""
    def mark(view):
        view.public_page = True
        view.member_page = members
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


def new_generation(store):
    return store.new_generation()


# ---- serving ---------------------------------------------------------------

def serve_from_cache():
    """before_request: a stored page for this audience, or note that this response may
    be stored (after_request decides)."""
    store = current_app.extensions.get(EXTENSION)
    if store is None or not store.enabled or request.routing_exception is not None:
        return None
    audience = audience_of_request()
    if audience is None:
        return None
    token = store.generation()
    if token is None:  # the store is out of reach: render, and store nothing
        return None
    # What a hole's HTML may be kept under too (holes.remember): same rows, clock,
    # words, readers, and where the request came in.
    g.hole_state = (f"{token}:{clock_minute()}:{get_locale()}:{audience}:{markers().id}:"
                    f"{request.scheme}://{request.host}{request.script_root}")
    key = f"{g.hole_state}{request.full_path}"
    found = store.get(key)
    if found is not None:
        body, actions = found
        for name, args in actions:
            _HIT_ACTIONS[name](*args)
        response = current_app.response_class(_per_response(body, key), mimetype="text/html")
        response.headers["X-Page-Cache"] = "hit"
        g.page_filled = True  # store_page has nothing left to do
        return response
    g.page_cache_key, g.page_audience, g.page_cache_actions = key, audience, []
    # Drawn behind guards: what is the reader's own cannot reach the page (audience.py).
    guard_shared_render(audience)
    return None


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
    if response.mimetype != "text/html" or response.direct_passthrough or g.get("page_filled"):
        g.pop("page_cache_key", None)
        return response
    body = response.get_data()
    if key is not None:
        visitors = g.page_audience == VISITORS
        if visitors:  # every visitor's holes are filled the same way: fill them once
            body = _fill(body)
        # Error pages too carry placeholders: only a 200 is stored, every page filled in.
        if (request.method == "GET" and response.status_code == 200
                and "Set-Cookie" not in response.headers and not g.get("page_personal")
                and current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") not in g
                and cache().set(key, body, g.page_cache_actions)):
            response.headers["X-Page-Cache"] = "miss"
        g.pop("page_cache_key")
        if visitors:
            response.set_data(fill_tokens(body))
            return response
    response.set_data(_per_response(body))
    return response


def _per_response(body, key=None):
    """A stored (under `key`) or just rendered page for this viewer: holes, then tokens."""
    return fill_tokens(_fill(body, key))


def _fill(body, key=None):
    with drawing_holes():  # the user, not current_user: holes ask it a dozen questions
        return holes.fill(body, current_user._get_current_object(), key)


# ---- the generation moves after a visible write commits --------------------

def _after_flush(session, _flush_context):
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__table__", None)
        note_written(session, table.name if table is not None else _UNKNOWN)


def _do_orm_execute(state):
    if state.is_select:
        return
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        note_written(state.session, getattr(getattr(statement, "table", None), "name", _UNKNOWN))
    elif not (isinstance(statement, TextClause) and _READ_ONLY_SQL.match(statement.text)):
        note_written(state.session, _UNKNOWN)


def _after_commit(session):
    """The write is saved: a store that cannot take the new generation logs it and
    catches up later (stores.py), and the request that wrote answers as it would."""
    tables = session.info.pop(WRITTEN_TABLES, None)
    if tables and not tables <= PRIVATE_TABLES and has_app_context():
        store = current_app.extensions.get(EXTENSION)
        if store is not None:
            store.new_generation()


def _after_rollback(session):
    session.info.pop(WRITTEN_TABLES, None)


def _listen_once():
    if event.contains(db.session, "after_commit", _after_commit):
        return
    event.listen(db.session, "after_flush", _after_flush)
    event.listen(db.session, "do_orm_execute", _do_orm_execute)
    event.listen(db.session, "after_commit", _after_commit)
    event.listen(db.session, "after_rollback", _after_rollback)


def init_app(app):
    """Call before the other extensions register their after_request functions:
    Flask runs those in reverse order, and the page must be stored after all of
    them (one may set a cookie, which makes it unfit to store)."""
    app.config.setdefault("CACHE_URL", "")
    app.extensions[EXTENSION] = build_cache(app)
    app.after_request(store_page)
    _listen_once()


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
