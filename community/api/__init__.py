"""The JSON API under /api/v1: plumbing in core, the document in openapi.

Other packages add routes on their own `api_blueprint(...)` (see core) with
`@api_doc` on each view; they are served under /api/v1 and documented alike.
"""

from . import tokens_api  # noqa: F401  (its routes live on bp)
from .core import add_auth_challenge, authenticate_request, bp, conditional_get


def init_app(app):
    # First of all before_request hooks, so CSRF, rate-limit keys and the locale
    # see the token's user and never load one from the session cookie.
    app.before_request_funcs.setdefault(None, []).insert(0, authenticate_request)
    app.after_request(add_auth_challenge)
    app.after_request(conditional_get)
    app.register_blueprint(bp)
