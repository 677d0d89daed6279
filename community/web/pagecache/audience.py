"""Who may share a page: visitors, or the signed-in by role, and what a shared render may
know of its reader (AudienceView).
"""

from flask import current_app, g, request, session
from flask_login import current_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE

MAX_PATH = 512

VISITORS = "-"
# What a shared page may know of a signed-in viewer: the audience key says it.
_SHARED_ATTRIBUTES = frozenset({"is_authenticated", "is_active", "is_anonymous", "is_staff",
                                "is_admin", "is_banned", "role"})


class AudienceView:
    """The signed-in user as a page to be shared sees them: their role and ban answer
    freely (the key holds them); reading anything else (their id, name, points) still
    works but marks the render as theirs alone, and it is not stored."""

    __slots__ = ("_user",)

    def __init__(self, user):
        object.__setattr__(self, "_user", user)

    def __getattr__(self, name):
        if name not in _SHARED_ATTRIBUTES:
            g.page_personal = True
        return getattr(self._user, name)

    def __setattr__(self, name, value):
        g.page_personal = True
        setattr(self._user, name, value)

    def __eq__(self, other):
        g.page_personal = True
        return self._user == (other._user if isinstance(other, AudienceView) else other)

    def __hash__(self):
        g.page_personal = True
        return hash(self._user)

    def __bool__(self):
        return True


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
