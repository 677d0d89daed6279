"""Who may share a page (visitors, or the signed-in by role), and what a render that may
be shown to others knows of its reader.

Two renders are drawn for more than one reader: a page that may be stored for its
audience (serving.py, from serve_from_cache's miss to restore_viewer), and a hole's HTML
kept for every reader with the same facts (holes.remember). While either is drawn, its
reader is behind guards: current_user, the session and the request's cookies answer only
what the render may know, which for a shared page is what the audience key says
(AudienceView: signed in or not, role, ban) and for a kept hole nothing at all (the facts
it declared stand in for the reader). Anything else read is an error in strict mode
(PAGE_CACHE_STRICT, on under TESTING: the tests fail, as Warehouse's InvalidSession makes
them); otherwise the render is the reader's own and is not shared.

The guards replace Flask's and Flask-Login's private state (RequestContext._session,
g._login_user) for the duration: that is kept to this module, and
tests/community/web/pagecache/test_strict_pages.py pins the library versions it was written for.
"""

import time
from contextlib import contextmanager

from flask import current_app, g, request, session
from flask.globals import request_ctx
from flask_login import current_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE

MAX_PATH = 512
# In a session: until when its reader, who wrote a figure that may lag, gets fresh pages.
FRESH_UNTIL = "_fresh_until"

VISITORS = "-"
# What a shared page may know of a signed-in viewer: the audience key says it.
_SHARED_ATTRIBUTES = frozenset({"is_authenticated", "is_active", "is_anonymous", "is_staff",
                                "is_admin", "is_banned", "role"})


class PersonalRead(RuntimeError):
    """A render that may be shown to other readers read what is its reader's own."""


def strict():
    """Whether such a read raises (tests) rather than keeping the render to its reader."""
    config = current_app.config
    return bool(config.get("PAGE_CACHE_STRICT", config.get("TESTING", False)))


def shared_read(what):
    """A page that may be stored for its audience read `what` of its reader."""
    if strict():
        raise PersonalRead(
            f"{request.endpoint}: a page stored for everyone in its audience read {what}. "
            "Leave what is the reader's own to a hole (pagecache.per_user, per_user_if), "
            "or share the page with visitors only (@public_page without members=True).")
    g.page_personal = True


class AudienceView:
    """The signed-in user as a page to be shared sees them: their role and ban answer
    freely (the key holds them); anything else (their id, name, points) is a shared_read."""

    __slots__ = ("_user",)

    def __init__(self, user):
        object.__setattr__(self, "_user", user)

    def __getattr__(self, name):
        if name not in _SHARED_ATTRIBUTES:
            shared_read(f"current_user.{name}")
        return getattr(self._user, name)

    def __setattr__(self, name, value):
        shared_read(f"current_user.{name} (set)")
        setattr(self._user, name, value)

    def __eq__(self, other):
        shared_read("current_user (compared)")
        return self._user == (other._user if isinstance(other, AudienceView) else other)

    def __hash__(self):
        shared_read("current_user (hashed)")
        return hash(self._user)

    def __bool__(self):
        return True


class NoReader:
    """current_user while a kept hole is drawn: the hole knows its reader only by the
    facts it declared, so everything asked of this is a read (`on_read`), answered by
    the real user when the read is allowed to go on (outside strict mode)."""

    __slots__ = ("_user", "_on_read")

    def __init__(self, user, on_read):
        object.__setattr__(self, "_user", user)
        object.__setattr__(self, "_on_read", on_read)

    def _real(self, what):
        self._on_read(f"current_user{what}")
        return self._user

    def __getattr__(self, name):
        return getattr(self._real(f".{name}"), name)

    def __setattr__(self, name, value):
        setattr(self._real(f".{name} (set)"), name, value)

    def __eq__(self, other):
        return self._real(" (compared)") == other

    def __hash__(self):
        return hash(self._real(" (hashed)"))

    def __bool__(self):
        return bool(self._real(" (as a truth value)"))

    def __repr__(self):
        return "<no reader: a kept hole knows its declared facts>"


class Guarded:
    """The session or the request's cookies behind a guard: every read or write is
    reported to `on_read` first, then done on the real mapping."""

    __slots__ = ("_real", "_what", "_on_read")

    def __init__(self, real, what, on_read):
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_what", what)
        object.__setattr__(self, "_on_read", on_read)

    def _touch(self, how):
        self._on_read(f"{self._what}{how}")
        return self._real

    def __getattr__(self, name):
        return getattr(self._touch(f".{name}"), name)

    def __setattr__(self, name, value):
        if name == "accessed":  # Flask notes the proxy was resolved; nothing is read yet
            self._real.accessed = value
        else:
            setattr(self._touch(f".{name} (set)"), name, value)

    def __getitem__(self, key):
        return self._touch(f"[{key!r}]")[key]

    def __setitem__(self, key, value):
        self._touch(f"[{key!r}] (set)")[key] = value

    def __delitem__(self, key):
        del self._touch(f"[{key!r}] (deleted)")[key]

    def __contains__(self, key):
        return key in self._touch(f" (asked for {key!r})")

    def __iter__(self):
        return iter(self._touch(" (listed)"))

    def __len__(self):
        return len(self._touch(" (counted)"))

    def __bool__(self):
        return bool(self._touch(" (as a truth value)"))

    def __repr__(self):
        return f"<{self._what} behind a guard>"


def guard_shared_render(audience):
    """serve_from_cache, on a miss: the page is drawn behind the guards until
    end_shared_render (restore_viewer, the first after_request)."""
    # A visitor's too: Flask-Login reads the session. A member's is a Reader (audience()):
    # all the render may know of them is in its row.
    user = current_user._get_current_object()
    # The audience check found no flashed messages in the session: the layout's
    # get_flashed_messages is answered without asking it again.
    request_ctx.flashes = []
    g.page_guards = _guard(user if audience == VISITORS else AudienceView(user), shared_read)


def end_shared_render():
    """The real user, session and cookies again, for the after_request functions."""
    saved = g.pop("page_guards", None)
    if saved is not None:
        _unguard(saved)


def not_shared():
    """This response is its reader's own: its page is not stored, and from here its render
    may read the reader. For a view whose answer to some readers is only a redirect or a
    404, decided by who is reading, and for every error page (errorpages.py). Nor is it
    kept by a browser (securityheaders.py asks `is_personal`), page cache on or off."""
    g.page_personal = True
    if "page_guards" in g:
        end_shared_render()


def is_personal():
    """Whether this response turned out its reader's own (not_shared, or a shared page's
    render that read its reader), though its view is a page readers share."""
    return bool(g.get("page_personal"))


@contextmanager
def reader_absent(on_read):
    """While a kept hole is drawn: current_user, the session and the cookies report
    every read to `on_read` (holes.py)."""
    saved = _guard(NoReader(current_user._get_current_object(), on_read), on_read)
    try:
        yield
    finally:
        _unguard(saved)


def _guard(user, on_read):
    """`user` in current_user's place and the session and cookies guarded; returns what
    _unguard puts back, so guards nest."""
    ctx = request_ctx._get_current_object()
    saved = (g._login_user, ctx._session, request.cookies)
    g._login_user = user
    ctx._session = Guarded(ctx._session, "session", on_read)
    request.cookies = Guarded(request.cookies, "request.cookies", on_read)
    return saved


def _unguard(saved):
    ctx = request_ctx._get_current_object()
    g._login_user, ctx._session, request.cookies = saved


def member_page_read():
    """A GET or HEAD of a page signed-in readers share (@public_page(members=True)): its
    render knows its reader as the audience key does (AudienceView) and its holes by their
    facts, all of it in an account's Reader row (community/viewer/readers.py), whether or
    not the page is stored."""
    if request.method not in ("GET", "HEAD"):
        return False
    return getattr(current_app.view_functions.get(request.endpoint), "member_page", False)


def audience():
    """VISITORS, a signed-in role's key, or None when this request's page is not shared."""
    if request.method not in ("GET", "HEAD") or len(request.full_path) > MAX_PATH:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "public_page", False):
        return None
    if "Authorization" in request.headers \
            or request.accept_mimetypes.best == "application/json" or "_flashes" in session:
        return None
    if session.get(FRESH_UNTIL, 0) > time.time():
        return None  # they just wrote what may lag: they see it at once (serving.py)
    if "_user_id" not in session:
        # One a remember cookie would sign in is neither a visitor nor known yet.
        remember = current_app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE)
        return None if remember in request.cookies else VISITORS
    if not view.member_page:
        return None
    g.light_reader = True  # a row of them is enough for a stored page (community/viewer/readers.py)
    try:
        user = current_user._get_current_object()
    finally:
        g.light_reader = False
    if not user.is_authenticated:
        return None
    return f"{user.role}{'-banned' if user.is_banned else ''}"
