"""url_for for templates, remembered per app: a page builds 10 to 25 URLs through
werkzeug's URL map (some 15 us each, 5% of a rendered page's CPU), most of them the same
on every page (the sign-in link, the search form, this page's own links).

A URL built without url_for's own options (the arguments named with a leading underscore:
an anchor, a scheme, a method, a full URL) is a pure function of the endpoint, its values,
and the request's script root and host (the app has no URL defaults and no host or
subdomain rules), so those are the key. Values keep their type in the key (url_for gives
"True" for True and "1" for 1), and only a str, int, bool or None is kept: for them
equal means printed alike, not so for 0.0 and -0.0, Decimal 1.0 and 1.00, or a lazy
string (equal by the reader's language). Bounded: cleared when it fills.
"""

from flask import current_app, has_request_context, request

EXTENSION = "fanforge_url_memo"
_URLS_MAX = 4096
# Exactly these types (a subclass may print otherwise): equal values print alike.
_PLAIN = frozenset({str, int, bool, type(None)})
# Longer strings (a `next=` path can be 8 KB) are built each time: the memo stays small.
_VALUE_MAX = 200


def url_for(endpoint, **values):
    """Template global: flask.url_for, from the memo when the same URL was built before."""
    app = current_app._get_current_object()
    # A list of values (a multi-valued query argument) is built as before, as are
    # url_for's own options (a leading underscore).
    if (not has_request_context() or endpoint[:1] == "."
            or any(name[:1] == "_" or type(value) not in _PLAIN
                   or (type(value) is str and len(value) > _VALUE_MAX)
                   for name, value in values.items())):
        return app.url_for(endpoint, **values)
    memo = app.extensions[EXTENSION]
    environ = request.environ  # its host as sent: request.host refuses an untrusted one
    key = (request.script_root, environ.get("HTTP_HOST"), environ.get("SERVER_NAME"), endpoint,
           *((name, type(value), value) for name, value in values.items()))
    found = memo.get(key)
    if found is None:
        found = app.url_for(endpoint, **values)
        if len(memo) >= _URLS_MAX:
            memo.clear()
        memo[key] = found
    return found


def init_app(app):
    app.extensions[EXTENSION] = {}
    app.jinja_env.globals["url_for"] = url_for
