"""The OpenAPI document is valid 3.1 and tells the truth about every /api/v1 route."""

import re
import uuid

import pytest
from apicheck import assert_conforms
from helpers import build_app
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator

from community.api.core import api_blueprint, api_doc, token_required
from community.api.openapi import document
from community.kernel.extensions import db

IMPLICIT = {"HEAD", "OPTIONS"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _template(rule):
    # Written apart from the builder's own conversion, so each checks the other.
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _routes(app):
    """{(path template, method)} for every rule under /api/v1, whoever registered it."""
    return {(_template(rule.rule), method)
            for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
            for method in rule.methods - IMPLICIT}


def _documented(doc):
    return {(path, method.upper()) for path, item in doc["paths"].items() for method in item}


def _example_path(template):
    return re.sub(r"\{[^}]+\}", "1", template)


def test_the_document_is_valid_openapi_3_1(app):
    doc = document(app)
    assert doc["openapi"].startswith("3.1")
    OpenAPIV31SpecValidator(doc).validate()
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_every_route_is_documented_and_nothing_else(app):
    routes, documented = _routes(app), _documented(document(app))
    assert ("/api/v1/tokens", "POST") in routes
    assert sorted(routes - documented) == [], "add @api_doc to these routes"
    assert sorted(documented - routes) == [], "documented but not routed"


def test_the_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == document(client.application)
    assert_conforms(client, response, "GET", "/api/v1/openapi.json")


def test_operation_ids_are_unique(app):
    ids = [op["operationId"] for item in document(app)["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_documented_auth_matches_the_routes(client):
    """An operation documented as needing a token answers 401 without one, and vice versa
    (a public one takes a token too: its requirements include the empty one)."""
    for path, item in document(client.application)["paths"].items():
        for method, operation in item.items():
            response = client.open(_example_path(path), method=method.upper(), json={})
            needs_token = {} not in operation["security"]
            assert (response.status_code == 401) == needs_token, (method, path)
            assert_conforms(client, response, method, path)


def test_write_routes_are_csrf_exempt(tmp_path):
    app = build_app(f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.sqlite3", tmp_path,
                    WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    for path, method in _routes(app):
        if method in WRITES:
            response = client.open(_example_path(path), method=method, json={})
            assert response.is_json, (method, path)
            assert response.get_json()["error"]["code"] != "csrf_failed", (method, path)


def test_other_packages_routes_are_documented_too(tmp_path):
    """A blueprint from elsewhere (products/, say) joins the document by itself."""
    app = build_app(f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.sqlite3", tmp_path)
    extra = api_blueprint(f"extra_{uuid.uuid4().hex[:6]}", __name__)

    @extra.get("/widgets/<int:widget_id>")
    @api_doc("A widget", responses={200: {"type": "object"}}, errors=(404,))
    @token_required
    def widget(widget_id):
        return {}

    @extra.post("/widgets")
    def undocumented():
        return {}

    app.register_blueprint(extra)
    doc = document(app)
    operation = doc["paths"]["/api/v1/widgets/{widget_id}"]["get"]
    assert operation["parameters"][0]["schema"]["type"] == "integer"
    assert operation["security"] == [{"bearerAuth": ["read"]}]  # the scope a GET needs
    assert {"200", "401", "403", "404", "default"} <= set(operation["responses"])
    assert sorted(_routes(app) - _documented(doc)) == [("/api/v1/widgets", "POST")]
    OpenAPIV31SpecValidator(doc).validate()


@pytest.mark.parametrize("status", [200, 418])
def test_assert_conforms_catches_lies(client, status):
    class Fake:
        status_code = status
        is_json = True

        def get_json(self):
            return {"id": "not a number"}

    with pytest.raises(AssertionError):
        assert_conforms(client, Fake(), "GET", "/api/v1/me")
