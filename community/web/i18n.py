"""Which language a page speaks: the user's setting, then the session's choice
(the header switch, for visitors), then the browser's Accept-Language."""

from functools import cache
from urllib.parse import urlsplit

from babel import Locale
from flask import Blueprint, current_app, has_request_context, request, session
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from ..kernel import signals
from ..kernel.extensions import csrf
from .http import form_text, redirect_next
from .outages import visitor_locale

bp = Blueprint("i18n", __name__)


def select_locale():
    """The Locale itself, not its name: Flask-Babel parses a name on every request."""
    return _parsed(_choose())


@cache
def _parsed(name):
    return Locale.parse(name)


def _choose():
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI and background jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return visitor_locale()


def _sent_from_this_site():
    """Whether a browser sent the request from one of this site's own pages, by what
    browsers say of where a request comes from (Go's net/http CrossOriginProtection):
    Sec-Fetch-Site where it is sent, else an Origin naming this host; a request with
    neither (not a browser's, or a browser too old for both) passes."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from is not None:
        return fetched_from in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


@bp.post("/locale")
@csrf.exempt
def switch():
    """A visitor's choice is a preference kept in their own session, with no account a
    forged request could change: their pages carry no CSRF token, so a stored page's
    hit for a visitor starts no session and sets no cookie. Another site's form must
    still not set it: its answer's new session cookie would replace a member's own,
    whose cross-site POST carries no cookie (SameSite=Lax) and so looks like a visitor's.
    A member's choice is saved to their account, so theirs takes their token too."""
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        if not _sent_from_this_site():
            raise CSRFError("The language switch was sent from another site.")
        if current_user.is_authenticated:
            csrf.protect()
    locale = form_text("locale", None)
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            signals.locale_chosen.send(current_user._get_current_object(), locale=locale)
    return redirect_next()
