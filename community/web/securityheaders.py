"""Security headers on every response, decided here and nowhere else.

The Content-Security-Policy lets a page run only the site's own script files: no inline
<script>, no on*= handler attributes, no javascript: URLs, no eval, nothing from another
host. Templates keep to that (tests/test_template_csp.py scans them): behaviour lives in
static/js, and data a script needs travels in data- attributes or in
<script type="application/json"> blocks, which are never executed. Stored pages are
shared by many readers, so a per-response nonce would be one more thing to fill per
response; static files need none. Styles likewise come only from static/css (no style=
attributes, no <style>). Images may come from anywhere on the web, because Markdown
shows them. No page can be framed (frame-ancestors, and X-Frame-Options for browsers
that predate it), and forms post only to the site. The model is pypi/warehouse's
policy (warehouse/csp.py) and Discourse's defaults (lib/content_security_policy).

Production (FANFORGE_ENV=production) adds HSTS and has the browser upgrade http: images
to https: rather than load them in clear.

Who may keep a response (Cache-Control). The rule, in one place: a response to a
signed-in reader is `no-store` unless its view is a page signed-in readers share
(@public_page(members=True), community/web/pagecache/serving.py), where what is theirs is a hole
filled per response. So settings, conversations, notifications, pre-orders, staff pages,
every page that needs sign-in and every API answer to a token are never kept by a browser
or a proxy; a page anyone may see, seen signed out, is left to the default.

A view that sets one of these headers itself keeps its own value (the password-reset
pages send `Referrer-Policy: no-referrer`; uploads are `public, immutable`).

What a kept answer varies on. A page's words are in the reader's language: their
setting, else the session's choice (a cookie), else Accept-Language. The page cache keys
on the chosen language itself; a cache in front of the site only sees the request, so
every answer left to the default carries `Vary: Accept-Language, Cookie`.
"""

from flask import current_app, request
from flask_login import current_user

from .pagecache import is_personal

SELF, NONE = "'self'", "'none'"
POLICY = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "https:", "http:"],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
VARY = ("Accept-Language", "Cookie")
EXTENSION = "fanforge_security_headers"


# For answers made before the app runs (a host the site does not serve): nothing to load.
BARE_HEADERS = (*HEADERS.items(), ("Content-Security-Policy",
                                   "default-src 'none'; frame-ancestors 'none'"))


def policy(production=False):
    """The Content-Security-Policy header's value."""
    directives = {name: list(sources) for name, sources in POLICY.items()}
    if production:
        directives["img-src"].remove("http:")
        directives["upgrade-insecure-requests"] = []
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def headers_for(app):
    """Every response's headers, worked out once per app: (lower-case name, name, value)."""
    production = app.config["ENV"] == "production"
    headers = dict(HEADERS, **{"Content-Security-Policy": policy(production)})
    if production:
        headers["Strict-Transport-Security"] = HSTS
    return tuple((name.lower(), name, value) for name, value in headers.items())


def is_private(response):
    """Whether no browser or proxy may keep this response (the rule above). Only a 200
    of a shared page is shared: its error pages (a 404, a 400) are drawn for their
    reader, header and CSRF token included."""
    view = current_app.view_functions.get(request.endpoint)
    # A shared page's view may still answer a reader with their own (a backers-only
    # thread on the forum's thread page): that one is kept by nobody.
    if getattr(view, "member_page", False) and response.status_code == 200 \
            and not is_personal():
        return False
    return current_user.is_authenticated


def add_headers(response):
    """after_request: page-cache hits pass through here too (Flask runs after_request on
    a response a before_request function returned). One pass over the response's own
    headers, then appends: werkzeug's setdefault scans and validates twice per header,
    which cost every response (a page-cache hit too) about 30 us for these six; this, 4 us."""
    headers = response.headers
    present = {name.lower() for name, _ in headers}
    for lower, name, value in current_app.extensions[EXTENSION]:
        if lower not in present:
            headers.add(name, value)
    # A view that says how its answer may be kept decided (static files, uploads, tokens).
    if "cache-control" not in present:
        if is_private(response):
            headers["Cache-Control"] = "no-store"
        else:
            response.vary.update(VARY)
    return response


def init_app(app):
    app.extensions[EXTENSION] = headers_for(app)
    app.after_request(add_headers)
