"""The JSON API's plumbing: blueprints, bearer-token auth, bodies, pages, users.

The API authenticates only by `Authorization: Bearer <token>`. Under /api/ the
session cookie is never read, so a page on another site cannot ride a signed-in
browser's cookie; that is why API blueprints are exempt from CSRF. Errors are
domain errors (community/kernel/errors.py, or Unauthorized for 401): raise them and
community/web/errorpages.py answers `{"error": {"code", "message"}}`.
"""

from functools import wraps
from operator import attrgetter

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from jsonschema import Draft202012Validator

from ..accounts import tokens, twofactor
from ..accounts.models import ROLES
from ..kernel.errors import DomainError, Forbidden, ValidationError
from ..kernel.extensions import csrf
from ..kernel.plaintext import VERBATIM_FIELDS, clean_field
from ..web.http import int_arg, json_value
from ..web.pagination import Page
from . import openapi, quickcheck
from .openapi import API_PREFIX, api_doc, define_schema

MAX_PER_PAGE = 100


def is_api_request():
    return request.path == "/api" or request.path.startswith("/api/")


def api_blueprint(name, import_name):
    """A blueprint for API routes under /api/v1, for any package (products/ too).

    It is CSRF-exempt (the API ignores cookies) and its routes are documented
    as soon as their views carry @api_doc. Register it with app.register_blueprint.
    """
    blueprint = Blueprint(name, import_name, url_prefix=API_PREFIX)
    csrf.exempt(blueprint)
    return blueprint


bp = api_blueprint("api", __name__)


# ---- who is asking ---------------------------------------------------------

def authenticate_request():
    """Before every request under /api/: the bearer token's user, or nobody.

    Stands in for Flask-Login's loading from the session, so `current_user`
    (used by rate-limit keys, the locale) is the token's user here too.
    """
    if not is_api_request():
        return
    # login_user's own way to set the request's user. Nobody until the token is
    # checked, so messages below (their locale asks for current_user) never make
    # Flask-Login read the session.
    set_user = current_app.login_manager._update_request_context_with_user
    set_user(None)
    g.api_user = g.api_token = g.api_auth_error = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _sep, credentials = header.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            g.api_auth_error = tokens.Unauthorized(
                _("Send the token as 'Authorization: Bearer <token>'."), code="invalid_token")
        else:
            view = current_app.view_functions.get(request.endpoint)
            try:
                g.api_user, g.api_token = tokens.authenticate_token(
                    credentials.strip(), light=getattr(view, "light_user", False))
                _check_scope(view, g.api_token)
            except DomainError as error:
                g.api_auth_error = error
    set_user(g.api_user if g.api_auth_error is None else None)
    if g.api_auth_error is not None:
        # On every route, public ones too (as GitHub's API does): a client whose token
        # broke finds out at once instead of quietly reading as nobody.
        raise g.api_auth_error


# ---- scopes ----------------------------------------------------------------

NO_SCOPE = ""  # a route any working token may call (signing in, revoking itself)


def required_scope(view, method):
    """The scope a token needs for `method` on `view`: its own (staff routes, @api_scope),
    else `read` to GET and `write` for anything else. NO_SCOPE: none."""
    return openapi.token_scope(view, method)


def api_scope(scope):
    """Declare the scope a route needs (tokens.SCOPES, or NO_SCOPE); above @staff_required
    it replaces the one staff_required chose."""
    if scope != NO_SCOPE and scope not in tokens.SCOPES:
        raise ValueError(f"unknown API scope {scope!r}")

    def decorate(view):
        view.api_scope = scope
        return view
    return decorate


def _check_scope(view, token):
    """Every route, whoever owns it: the token must carry the route's scope (403
    insufficient_scope), public routes too, as a token that broke is refused there."""
    if view is None or request.method == "OPTIONS":
        return
    scope = required_scope(view, request.method)
    if scope != NO_SCOPE and scope not in token.scopes:
        raise Forbidden(_("This token may not do that: it needs the %(scope)s scope.",
                          scope=scope), code="insufficient_scope")


def api_user():
    """The user whose token came with this request, or None."""
    return g.get("api_user")


def api_token():
    """The token in use (tokens.TokenInUse: its id, last_used_at and scopes), or None."""
    return g.get("api_token")


def require_user():
    """The token's user; 401 without a token (a broken one never gets this far)."""
    user = api_user()
    if user is None:
        raise tokens.Unauthorized(
            _("This needs an API token: send 'Authorization: Bearer <token>'."),
            code="token_required")
    return user


def light_user(view):
    """Mark a view whose use case needs only its user's facts (id, role, ban, locale,
    verified address): the token's user comes as an accounts Reader from the lookup's
    own row, not a loaded User. For the hot write paths (a vote, a pre-order); put it
    under @token_required."""
    view.light_user = True
    return view


def token_required(view):
    """Only with a working token; the document marks the route as authenticated."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        require_user()
        return view(*args, **kwargs)

    wrapper.api_auth = "token"
    return wrapper


def staff_required(view):
    """Only with a staff member's token (403 for anyone else) carrying a staff scope: the
    store's routes (products/) need staff:store, the community's staff:moderate; put
    @api_scope above it to choose another."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        user = require_user()
        if not user.is_staff:
            raise Forbidden(_("Only staff can do that."))
        if twofactor.required_for(user) and not twofactor.is_enabled(user):
            raise Forbidden(_("Set up two-factor sign-in on the website first."),
                            code="two_factor_required")
        return view(*args, **kwargs)

    wrapper.api_auth = "staff"
    wrapper.api_scope = ("staff:store" if view.__module__.startswith("products.")
                         else "staff:moderate")
    return wrapper


def conditional_get(response):
    """after_request, for every GET under /api/: a 200's ETag is a hash of its body, and
    a request whose If-None-Match names it gets 304 with no body. What the caller may
    see (their votes, a staff member's hidden rows) is in the body, so it is in the tag:
    two callers share a tag only when they were given the same bytes."""
    if (response.status_code == 200 and request.method in ("GET", "HEAD")
            and not response.direct_passthrough and response.mimetype == "application/json"
            and is_api_request()):
        response.add_etag()
        response.make_conditional(request)
    return response


def add_auth_challenge(response):
    if response.status_code == 401 and is_api_request():
        challenge = 'Bearer realm="fanforge"'
        error = g.get("api_auth_error")
        if error is not None and error.code == "invalid_token":  # RFC 6750, section 3
            challenge += ', error="invalid_token"'
        response.headers.setdefault("WWW-Authenticate", challenge)
    return response


# ---- request bodies --------------------------------------------------------

class InvalidBody(ValidationError):
    """A body that is JSON but breaks its schema: 422 naming every field at fault."""

    def __init__(self, fields):
        field, message = next(iter(fields.items()))
        super().__init__(message, field=field)
        self.fields = fields


def json_body(schema=None):
    """The request's JSON object, checked against `schema` (by default the
    view's documented request schema): 400 bad_json, 422 with field errors."""
    body = json_value()
    if not isinstance(body, dict):
        raise DomainError(_("Send a JSON object as the request body."), code="bad_json")
    body = clean_text(body)
    if schema is None:
        view = current_app.view_functions.get(request.endpoint)
        spec = openapi.spec_for(view, request.method) if view else None
        schema = spec and spec["request"]
    if schema:
        check(body, schema)
    return body


def clean_text(value, key=None):
    """`value` with control and bidi-override characters dropped from its strings."""
    if isinstance(value, dict):
        return {name: item if name in VERBATIM_FIELDS else clean_text(item, name)
                for name, item in value.items()}
    if isinstance(value, list):
        return [clean_text(item, key) for item in value]
    return clean_field(key, value)


def check(instance, schema):
    """Validate against a JSON Schema (component $refs resolve); InvalidBody if not."""
    if quickcheck.passes(instance, schema):
        return
    fields = {}
    for error in _validator(schema).iter_errors(instance):
        path = [str(part) for part in error.absolute_path]
        if error.validator == "required":
            for name in error.validator_value:
                if isinstance(error.instance, dict) and name not in error.instance:
                    fields.setdefault(".".join([*path, name]), _("This field is required."))
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {})
            for name in error.instance:
                if name not in known:
                    fields.setdefault(".".join([*path, name]), _("Unknown field."))
        else:
            fields.setdefault(".".join(path) or "body", _schema_message(error))
    if fields:
        raise InvalidBody(fields)


_VALIDATORS = {}


def _validator(schema):
    """One validator per schema, built on first use: building one (and its $ref
    registry) cost more than validating a body. Schemas are module constants, so their
    id() names them; the identity check guards against a reused id."""
    found = _VALIDATORS.get(id(schema))
    if found is None or found[0] is not schema:
        # The components ride along under a key the validator ignores, so
        # "#/components/schemas/X" resolves just as it does in the document.
        root = dict(schema, components={"schemas": openapi.SCHEMAS})
        found = _VALIDATORS[id(schema)] = (schema, Draft202012Validator(root))
    return found[1]


def _schema_message(error):
    value = error.validator_value
    if error.validator == "type":
        kinds = value if isinstance(value, list) else [value]
        return _("Expected %(type)s.", type=" or ".join(kinds))
    if error.validator == "minLength" and value == 1:
        return _("This field cannot be empty.")
    messages = {
        "maxLength": lambda: _("Use at most %(n)d characters.", n=value),
        "minLength": lambda: _("Use at least %(n)d characters.", n=value),
        "maximum": lambda: _("The largest allowed value is %(n)s.", n=value),
        "minimum": lambda: _("The smallest allowed value is %(n)s.", n=value),
        "maxItems": lambda: _("Send at most %(n)d items.", n=value),
        "minItems": lambda: _("Send at least %(n)d items.", n=value),
        "enum": lambda: _("Use one of: %(values)s.", values=", ".join(map(str, value))),
    }
    return messages.get(error.validator, lambda: _("This value is not valid."))()


# ---- lists -----------------------------------------------------------------

def _positive_int(name, default):
    return int_arg(name, default, maximum=10**9 - 1,
                   message=lambda: _("%(name)s must be a positive whole number.", name=name))


def page_args():
    """(page, per_page) from the query string; per_page is at most 100, bad values 400."""
    page = _positive_int("page", 1)
    per_page = _positive_int("per_page", min(current_app.config["PER_PAGE"], MAX_PER_PAGE))
    if per_page > MAX_PER_PAGE:
        raise DomainError(_("per_page may be at most %(n)d.", n=MAX_PER_PAGE),
                          field="per_page", code="bad_query")
    return page, per_page


def page_json(page: Page, item_json):
    """A pagination.Page as the Page schema, each item turned into JSON by `item_json`."""
    return {"items": [item_json(item) for item in page.items], "page": page.page,
            "per_page": page.per_page, "has_next": page.has_next, "total": page.total,
            "next_cursor": page.next_cursor}


def iso(moment):
    """A naive UTC datetime as RFC 3339 ("...Z"), or None."""
    return None if moment is None else moment.isoformat(timespec="seconds") + "Z"


# ---- users -----------------------------------------------------------------

# One line per field (how to read it, its schema): a field added here is served
# and documented at once.
USER_FIELDS = {
    "id": (attrgetter("id"), {"type": "integer"}),
    "username": (attrgetter("username"), {"type": "string"}),
    "role": (attrgetter("role"), {"type": "string", "enum": list(ROLES)}),
    "level": (lambda user: user.level.number, {"type": "integer", "minimum": 1}),
}

USER = define_schema("User", {
    "type": "object",
    "required": list(USER_FIELDS),
    "properties": {name: schema for name, (_read, schema) in USER_FIELDS.items()},
})


def user_json(user):
    return {name: read(user) for name, (read, _schema) in USER_FIELDS.items()}


# ---- the document itself ---------------------------------------------------

@bp.get("/openapi.json")
@api_doc("This OpenAPI 3.1 document", tag="meta",
         responses={200: {"type": "object", "required": ["openapi", "paths"]}})
@api_scope(NO_SCOPE)
def openapi_document():
    return jsonify(openapi.document(current_app))
