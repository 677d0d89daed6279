"""Per-response tokens in pages that are kept for many readers.

A stored page (community/web/pagecache/serving.py), and a hole's HTML kept for every reader with the
same facts (holes.remember), cannot carry a token: the CSRF token belongs to a
session and a form's once-only token to one response. While such HTML is drawn, the
templates' csrf_token() and submit_token() give placeholders, and every response fills
them in (fill_tokens) just before it is sent. The placeholders carry a nonce no reader
knows (community/web/pagecache/markers.py): text a reader wrote is never filled.
"""

import secrets
from contextlib import contextmanager

from flask import current_app, g, has_request_context, session
from flask_wtf.csrf import generate_csrf

from community.kernel.recent import Recent

from .markers import markers

# Signed CSRF tokens by the session's raw token, per worker (signed_csrf).
_SIGNED = Recent(1024)


@contextmanager
def drawing_holes():
    """Holes are drawn meanwhile: tokens are placeholders, fill_tokens follows. Nests (a
    kept hole drawn while the page's holes are filled): the outer state comes back."""
    before, g.drawing_holes = g.get("drawing_holes", False), True
    try:
        yield
    finally:
        g.drawing_holes = before


def _placeholders():
    """The page may be stored (pagecache notes its key), or a hole is being drawn."""
    return g.get("page_cache_key") is not None or g.get("drawing_holes", False)


def fill_tokens(body):
    marks = markers()
    if marks.csrf_bytes in body:
        body = body.replace(marks.csrf_bytes, signed_csrf().encode())
    if marks.submit_bytes in body:  # one new token per form, as each render would give
        body = marks.submit_pattern.sub(lambda _found: new_submit_token().encode(), body)
    return body


def csrf_placeholder():
    """What a stored page carries where the reader's CSRF token goes."""
    return markers().csrf


def csrf_token():
    """The templates' csrf_token()."""
    if _placeholders():
        return markers().csrf
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
        return markers().submit
    return new_submit_token()
