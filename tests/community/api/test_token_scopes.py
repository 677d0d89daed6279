"""API token scopes: chosen when a token is made, checked on every API route (a walk of
the URL map), staff scopes for staff with two-factor sign-in, and a code with the
password when it is on (community/accounts/tokens.py, community/api/core.py)."""

import re
import uuid

import pyotp
import pytest
from apicheck import assert_conforms
from helpers import PASSWORD, build_app, make_user
from sqlalchemy import insert, select

from community.accounts import service as accounts
from community.accounts import tokens, twofactor
from community.api import core
from community.api.openapi import API_PREFIX, api_rules, documented_methods, path_template
from community.kernel.extensions import db

# Routes any working token may call: signing in for a token, a token revoking itself,
# the document.
NO_SCOPE_ROUTES = {"api.create_token", "api.revoke_current_token", "api.openapi_document"}


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _url(rule):
    """A URL for the rule, its arguments filled with values no row has."""
    return re.sub(r"<(?:int:)?([a-z_]+)>",
                  lambda m: "999999" if "int:" in m.group(0) else "nothing-here", rule)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One app and one staff member whose tokens each lack one scope, for the walk."""
    folder = tmp_path_factory.mktemp("scopes")
    app = build_app(f"sqlite:///{folder}/{uuid.uuid4().hex}.sqlite3", folder)
    with app.app_context():
        db.create_all()
        staff = make_user("walker", role="staff")
        lacking = {scope: tokens.create_token(staff, f"no {scope}",
                                              [s for s in tokens.SCOPES if s != scope])[1]
                   for scope in tokens.SCOPES}
        full = tokens.create_token(staff, "everything")[1]
    yield app, lacking, full
    with app.app_context():
        db.engine.dispose()


def _routes(app):
    for rule in api_rules(app):
        view = app.view_functions[rule.endpoint]
        for method in documented_methods(rule):
            yield rule, view, method


def test_every_api_route_names_a_scope_and_staff_routes_a_staff_scope(world):
    app, _lacking, _full = world
    seen = 0
    for rule, view, method in _routes(app):
        scope = core.required_scope(view, method)
        where = f"{method} {rule.rule}"
        if rule.endpoint in NO_SCOPE_ROUTES:
            assert scope == core.NO_SCOPE, where
            continue
        assert scope in tokens.SCOPES, where
        if getattr(view, "api_auth", None) == "staff":
            assert scope in tokens.STAFF_SCOPES, where
        else:
            assert scope == ("read" if method == "GET" else "write"), where
        seen += 1
    assert seen > 60


def test_every_api_route_refuses_a_token_without_its_scope(world):
    """The walk: for each route and method, a token with every scope but the one it needs
    gets 403 insufficient_scope (documented), and one with all of them gets past."""
    app, lacking, full = world
    client = app.test_client()
    refused = 0
    for rule, view, method in _routes(app):
        scope = core.required_scope(view, method)
        if scope == core.NO_SCOPE:
            continue
        url = _url(rule.rule)
        response = client.open(url, method=method, headers=_bearer(lacking[scope]), json={})
        assert response.status_code == 403, f"{method} {url}"
        assert response.get_json()["error"]["code"] == "insufficient_scope", f"{method} {url}"
        assert scope in response.get_json()["error"]["message"]
        template, _parameters = path_template(rule.rule)
        assert_conforms(app, response, method, template)
        allowed = client.open(url, method=method, headers=_bearer(full), json={})
        assert allowed.status_code < 500, f"{method} {url}"
        if allowed.status_code == 403:
            assert allowed.get_json()["error"]["code"] != "insufficient_scope", f"{method} {url}"
        refused += 1
    assert refused > 60


def test_the_document_says_which_scope_each_operation_needs(world):
    app, _lacking, _full = world
    doc = app.test_client().get(f"{API_PREFIX}/openapi.json").get_json()
    assert doc["paths"]["/api/v1/me"]["get"]["security"] == [{"bearerAuth": ["read"]}]
    products = doc["paths"]["/api/v1/products"]
    assert products["post"]["security"] == [{"bearerAuth": ["staff:store"]}]
    assert products["get"]["security"] == [{}, {"bearerAuth": ["read"]}]
    status = doc["paths"]["/api/v1/ideas/{idea_id}/status"]["post"]
    assert "staff:moderate" in status["description"] and "403" in status["responses"]


def test_read_and_write_are_separate(app, client):
    with app.app_context():
        user = make_user("lilei")
        reader = tokens.create_token(user, "reader", ["read"])[1]
        writer = tokens.create_token(user, "writer", ["write"])[1]
    assert client.get("/api/v1/me", headers=_bearer(reader)).status_code == 200
    assert client.get("/api/v1/me", headers=_bearer(writer)).status_code == 403
    assert client.get("/api/v1/ideas", headers=_bearer(writer)).status_code == 403
    vote = client.put("/api/v1/ideas/1/vote", headers=_bearer(reader))
    assert vote.status_code == 403 and vote.get_json()["error"]["code"] == "insufficient_scope"
    # Any token may revoke itself.
    assert client.delete("/api/v1/tokens/current", headers=_bearer(reader)).status_code == 204
    assert client.get("/api/v1/me", headers=_bearer(reader)).status_code == 401


def test_scopes_chosen_through_the_api(app, client):
    with app.app_context():
        make_user("lilei")
        make_user("boss", role="staff")
    made = client.post("/api/v1/tokens", json={"username": "lilei", "password": PASSWORD})
    assert made.status_code == 201 and made.get_json()["scopes"] == ["read", "write"]
    listed = client.get("/api/v1/tokens", headers=_bearer(made.get_json()["token"]))
    assert_conforms(client, listed, "GET", "/api/v1/tokens")
    assert listed.get_json()[0]["scopes"] == ["read", "write"]
    fan_staff = client.post("/api/v1/tokens", json={"username": "lilei", "password": PASSWORD,
                                                    "scopes": ["read", "staff:store"]})
    assert fan_staff.status_code == 403 and fan_staff.get_json()["error"]["code"] == "staff_scope"
    unknown = client.post("/api/v1/tokens", json={"username": "lilei", "password": PASSWORD,
                                                  "scopes": ["admin"]})
    assert unknown.status_code == 422
    # Staff get staff scopes only when they ask; by default a token is read and write.
    default = client.post("/api/v1/tokens", json={"username": "boss", "password": PASSWORD})
    refused = client.post("/api/v1/products", json={}, headers=_bearer(default.get_json()["token"]))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "insufficient_scope"
    moderate = client.post("/api/v1/tokens", json={"username": "boss", "password": PASSWORD,
                                                   "scopes": ["staff:moderate"]})
    assert moderate.get_json()["scopes"] == ["staff:moderate"]
    store_call = client.post("/api/v1/products", json={},
                             headers=_bearer(moderate.get_json()["token"]))
    assert store_call.get_json()["error"]["code"] == "insufficient_scope"


def test_scopes_chosen_on_the_settings_page(app, client, auth):
    with app.app_context():
        make_user("lilei")
    auth.login("lilei")
    page = client.get("/settings").get_data(as_text=True)
    assert 'value="read"' in page and 'value="staff:store"' not in page
    assert client.post("/settings/tokens", data={"name": "bot", "scopes": ["read"]}).status_code == 200
    assert client.post("/settings/tokens",
                       data={"name": "bad", "scopes": ["staff:store"]}).status_code == 422
    assert client.post("/settings/tokens", data={"name": "plain"}).status_code == 200
    with app.app_context():
        assert dict(db.session.execute(select(tokens.ApiToken.name, tokens.ApiToken.scopes)).all()) \
            == {"bot": "read", "plain": "read write"}


def test_tokens_made_before_scopes_read_and_write(app):
    """The migration's default, which a row written without scopes gets."""
    with app.app_context():
        user = make_user()
        db.session.execute(insert(tokens.ApiToken.__table__).values(
            user_id=user.id, name="old", token_hash="x" * 64, prefix="ff_old",
            created_at=user.created_at))
        db.session.commit()
        assert db.session.scalar(select(tokens.ApiToken.scopes)) == "read write"


def test_staff_scopes_need_two_factor_and_the_api_asks_for_the_code(app, client):
    app.config["TWO_FACTOR_ENFORCE"] = "staff"
    with app.app_context():
        make_user("boss", role="staff")
    body = {"username": "boss", "password": PASSWORD, "scopes": ["read", "staff:store"]}
    unset = client.post("/api/v1/tokens", json=body)
    assert unset.status_code == 403 and unset.get_json()["error"]["code"] == "two_factor_required"
    with app.app_context():
        staff = accounts.get_by_username("boss")
        secret = twofactor.begin_enrolment(staff)
        twofactor.enable(staff, pyotp.TOTP(secret).at(
            (twofactor.current_step() - 1) * twofactor.STEP_SECONDS))
    missing = client.post("/api/v1/tokens", json=body)
    assert missing.status_code == 401 and missing.get_json()["error"]["code"] == "otp_required"
    assert_conforms(client, missing, "POST", "/api/v1/tokens")
    wrong = client.post("/api/v1/tokens", json=dict(body, otp="12345x"))
    assert wrong.get_json()["error"]["code"] == "invalid_otp"
    code = pyotp.TOTP(secret).now()
    made = client.post("/api/v1/tokens", json=dict(body, otp=code))
    assert made.status_code == 201 and made.get_json()["scopes"] == ["read", "staff:store"]
    assert_conforms(client, made, "POST", "/api/v1/tokens")
    replayed = client.post("/api/v1/tokens", json=dict(body, otp=code))
    assert replayed.status_code == 401 and replayed.get_json()["error"]["code"] == "invalid_otp"
