"""Per-response tokens in pages that are kept for many readers.

A stored page (community/pagecache.py), and a hole's HTML kept for every reader with the
same facts (pageholes.remember), cannot carry a token: the CSRF token belongs to a
session and a form's once-only token to one response. While such HTML is drawn, the
templates' csrf_token() and submit_token() give placeholders, and every response fills
them in (fill_tokens) just before it is sent.
"""

import re
import secrets
from contextlib import contextmanager

from flask import current_app, g, has_request_context, session
from flask_wtf.csrf import generate_csrf

from .recent import Recent

# Never sent: every response fills them in.
CSRF_PLACEHOLDER = "__fanforge-csrf-token__"
_CSRF_BYTES = CSRF_PLACEHOLDER.encode()
SUBMIT_PLACEHOLDER = "__fanforge-submit-token__"
_SUBMIT_BYTES = SUBMIT_PLACEHOLDER.encode()
_SUBMIT_PATTERN = re.compile(re.escape(_SUBMIT_BYTES))
# Signed CSRF tokens by the session's raw token, per worker (signed_csrf).
_SIGNED = Recent(1024)


@contextmanager
def drawing_holes():
    """Holes are drawn meanwhile: tokens are placeholders, fill_tokens follows."""
    g.drawing_holes = True
    try:
        yield
    finally:
        g.drawing_holes = False


def _placeholders():
    """The page may be stored (pagecache notes its key), or a hole is being drawn."""
    return g.get("page_cache_key") is not None or g.get("drawing_holes", False)


def fill_tokens(body):
    if _CSRF_BYTES in body:
        body = body.replace(_CSRF_BYTES, signed_csrf().encode())
    if _SUBMIT_BYTES in body:  # one new token per form, as each render would give
        body = _SUBMIT_PATTERN.sub(lambda _found: new_submit_token().encode(), body)
    return body


def csrf_token():
    """The templates' csrf_token()."""
    if _placeholders():
        return CSRF_PLACEHOLDER
    return signed_csrf()


def signed_csrf():
    """Flask-WTF's generate_csrf, signing a session's token once per worker rather than on
    every response (a fiftieth of a fan's page hit). A token without a time limit
    (WTF_CSRF_TIME_LIMIT None) is valid however old its signature, and the session's raw
    token is what it must match: a new session token gets a new signature."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field in g or config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None:
        return generate_csrf()
    if field not in session:
        generate_csrf()  # the session's new token, signed: that signature is kept below
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    signed = _SIGNED.get((secret, session[field]), lambda: g.get(field) or generate_csrf())
    setattr(g, field, signed)  # as generate_csrf leaves it, for the form's own check
    return signed


def new_submit_token():
    return secrets.token_urlsafe(16)


def submit_token():
    """A form's once-only token (community.forms.OnceForm, a pre-order form's key)."""
    if has_request_context() and _placeholders():
        return SUBMIT_PLACEHOLDER
    return new_submit_token()
