"""The OpenAPI 3.1 document of /api/v1, built from the routes themselves.

Each API view declares its contract beside it with `@api_doc(...)`. The document
walks `app.url_map` for every rule under /api/v1, whichever blueprint (and
package) owns it, and reads those declarations, so paths, methods and path
parameters come from the real routes and cannot drift; tests/test_openapi.py
fails on a route without a declaration. Schemas are plain JSON Schema 2020-12
dicts, which OpenAPI 3.1 takes as they are; shared ones are components.
"""

import re
from http import HTTPStatus

API_PREFIX = "/api/v1"
JSON = "application/json"
# Flask adds these to every rule; they are not part of the contract.
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}

INFO = {
    "title": "Fanforge API",
    "version": "1",
    "description": (
        "The Fanforge JSON API. Authenticate with a personal API token, created on the "
        "settings page or by `POST /api/v1/tokens`: `Authorization: Bearer <token>`. "
        "Session cookies are ignored under /api/. A token has scopes, chosen when it is "
        "made: `read` (GET), `write` (anything else), and for staff `staff:moderate` and "
        "`staff:store`; each operation names the one it needs, and a token without it gets "
        "403 `insufficient_scope`. Every error is "
        '`{"error": {"code": "...", "message": "..."}}` with a fitting status; '
        "a 422 also names the fields at fault. Paged lists take `page` and `per_page` "
        "(at most 100)."
    ),
}

SCHEMAS = {}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def define_schema(name, schema):
    """Add a shared component schema and return a $ref to it."""
    if SCHEMAS.get(name, schema) != schema:
        raise ValueError(f"API schema {name!r} is defined twice, differently")
    SCHEMAS[name] = schema
    return ref(name)


# A post kept for staff to approve (community/gatekeeping): 202, nothing published yet.
HELD = define_schema("Held", {
    "type": "object",
    "required": ["held"],
    "properties": {"held": {
        "type": "object",
        "required": ["id", "code", "message"],
        "properties": {
            "id": {"type": "integer", "description": "The held post; its author sees it at /me/waiting."},
            "code": {"type": "string", "enum": ["held_for_approval"]},
            "message": {"type": "string"},
        },
    }},
})

ERROR = define_schema("Error", {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "description": "Stable, machine-readable."},
            "message": {"type": "string", "description": "For people, in their language."},
            "field": {"type": "string", "description": "The (first) field at fault."},
            "fields": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "Every field at fault and what is wrong with it."},
        },
    }},
})

PAGE = define_schema("Page", {
    "type": "object",
    "required": ["items", "page", "per_page", "has_next"],
    "properties": {
        "items": {"type": "array"},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        "has_next": {"type": "boolean"},
        "total": {"type": ["integer", "null"], "description": "Null when not counted."},
        "next_cursor": {"type": ["string", "null"]},
    },
})


def page_of(item_schema):
    """A Page whose items follow `item_schema`."""
    return {"allOf": [PAGE, {"properties": {"items": {"type": "array", "items": item_schema}}}]}


PAGE_PARAMETERS = {
    "page": {"type": "integer", "minimum": 1, "default": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
}


def api_doc(summary, *, request=None, responses=None, errors=(), query=None, paged=False,
            description=None, tag=None, method=None, headers=None):
    """Declare a view's contract for the OpenAPI document.

    `request`: JSON Schema of the body (json_body() also validates against it);
    `responses`: {status: schema, or None for an empty body}; `errors`: statuses
    answered with an Error besides the ones implied (401/403 for token_required,
    400/422 with a body, 400 with query parameters); `query`: {name: schema};
    `headers`: {name: schema} of request headers the view requires (400 without);
    `paged`: takes page and per_page. A view serving several methods stacks one
    api_doc per method, each with `method=`.
    """
    spec = {"summary": summary, "request": request, "responses": responses or {},
            "errors": tuple(errors), "query": dict(query or {}), "paged": paged,
            "description": description, "tag": tag, "headers": dict(headers or {})}

    def decorate(view):
        # A copy: functools.wraps shares the dict between a wrapper and its view.
        docs = dict(getattr(view, "api_docs", {}))
        docs[method.upper() if method else "*"] = spec
        view.api_docs = docs
        return view

    return decorate


def token_scope(view, method):
    """The scope a token needs for `method` on `view` (api/core.py checks it): the view's
    own `api_scope` ("" for none), else read to GET and write for the rest."""
    scope = getattr(view, "api_scope", None)
    if scope is not None:
        return scope
    return "read" if method in ("GET", "HEAD") else "write"


def spec_for(view, method):
    """The api_doc declaration of `view` for `method`, or None."""
    docs = getattr(view, "api_docs", {})
    return docs.get(method.upper(), docs.get("*"))


# <name>, <int:name>, <string(length=2):name>
_VARIABLE = re.compile(r"<(?:(?P<converter>[a-zA-Z_]\w*)(?:\([^)]*\))?:)?(?P<name>[a-zA-Z_]\w*)>")
CONVERTER_SCHEMAS = {
    "int": {"type": "integer", "minimum": 0},
    "float": {"type": "number", "minimum": 0},
    "uuid": {"type": "string", "format": "uuid"},
}


def path_template(rule):
    """Werkzeug's "/x/<int:id>" as OpenAPI's "/x/{id}", with its path parameters."""
    parameters = [
        {"name": m["name"], "in": "path", "required": True,
         "schema": CONVERTER_SCHEMAS.get(m["converter"], {"type": "string"})}
        for m in _VARIABLE.finditer(rule)
    ]
    return _VARIABLE.sub(lambda m: "{" + m["name"] + "}", rule), parameters


def api_rules(app):
    """Every URL rule of the app under /api/v1, whichever blueprint registered it."""
    return [rule for rule in app.url_map.iter_rules()
            if rule.rule == API_PREFIX or rule.rule.startswith(API_PREFIX + "/")]


def documented_methods(rule):
    return sorted(rule.methods - IMPLICIT_METHODS)


def _response(status, schema):
    response = {"description": HTTPStatus(status).phrase}
    if schema is not None:
        response["content"] = {JSON: {"schema": schema}}
    return response


def _operation(rule, view, method, spec, path_parameters, several):
    auth = getattr(view, "api_auth", None)
    scope = token_scope(view, method)
    # 401: a broken or revoked token is refused on every route, public ones too.
    implied = set(spec["errors"]) | {401}
    if auth or scope:
        implied |= {403}  # a banned account, not staff, or a token without the scope
    if spec["request"] is not None:
        implied |= {400, 422}
    if spec["query"] or spec["paged"] or spec["headers"]:
        implied.add(400)
    responses = {str(status): _response(status, schema)
                 for status, schema in sorted(spec["responses"].items())}
    for status in sorted(implied):
        responses.setdefault(str(status), _response(status, ERROR))
    responses["default"] = {"description": "Any other error", "content": {JSON: {"schema": ERROR}}}

    query = dict(PAGE_PARAMETERS) if spec["paged"] else {}
    query.update(spec["query"])
    parameters = path_parameters + [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in query.items()
    ] + [{"name": name, "in": "header", "required": True, "schema": schema}
         for name, schema in spec["headers"].items()]
    scopes = [scope] if scope else []
    blueprint = rule.endpoint.rpartition(".")[0] or "api"
    operation = {
        "operationId": rule.endpoint.replace(".", "_") + (f"_{method.lower()}" if several else ""),
        "summary": spec["summary"],
        "tags": [spec["tag"] or blueprint],
        # A public route takes a token too (optional: the empty requirement).
        "security": ([{"bearerAuth": scopes}] if auth else [{}, {"bearerAuth": scopes}]),
        "responses": responses,
    }
    description = spec["description"] or ""
    if auth == "staff":
        description = (description + " Staff only.").strip()
    if scope:
        description = (description + f" A token needs the `{scope}` scope.").strip()
    if description:
        operation["description"] = description
    if parameters:
        operation["parameters"] = parameters
    if spec["request"] is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {JSON: {"schema": spec["request"]}}}
    return operation


def build_document(app):
    paths = {}
    for rule in sorted(api_rules(app), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        template, path_parameters = path_template(rule.rule)
        methods = documented_methods(rule)
        for method in methods:
            spec = spec_for(view, method)
            if spec is None:
                continue  # undocumented: tests/test_openapi.py names it
            paths.setdefault(template, {})[method.lower()] = _operation(
                rule, view, method, spec, path_parameters, len(methods) > 1)
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {
            "schemas": dict(sorted(SCHEMAS.items())),
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A personal API token (ff_...)."}},
        },
    }


def document(app):
    """The document, built once per app (routes cannot change after the first request)."""
    if "fanforge_openapi" not in app.extensions:
        app.extensions["fanforge_openapi"] = build_document(app)
    return app.extensions["fanforge_openapi"]
