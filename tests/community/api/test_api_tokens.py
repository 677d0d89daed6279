"""Personal API tokens and the API's plumbing: auth, bodies, pages, JSON errors."""

import hashlib
import uuid
from datetime import timedelta

import pytest
from apicheck import assert_conforms
from helpers import PASSWORD, build_app, make_user
from sqlalchemy import select, update

from community.accounts import service as accounts
from community.accounts import tokens
from community.api import core, tokens_api
from community.kernel.database import utcnow
from community.kernel.errors import DomainError
from community.kernel.extensions import db, login_manager
from community.moderation import service as sanctions_service

pytestmark = pytest.mark.one_database


def _sqlite_app(tmp_path, **config):
    app = build_app(f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.sqlite3", tmp_path, **config)
    with app.app_context():
        db.create_all()
    return app


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _sign_in(client, username="lilei", password=PASSWORD, **extra):
    response = client.post("/api/v1/tokens", json={"username": username, "password": password,
                                                   **extra})
    assert_conforms(client, response, "POST", "/api/v1/tokens")
    return response


def _token(client, username="lilei"):
    response = _sign_in(client, username)
    assert response.status_code == 201
    return response.get_json()["token"]


# ---- creating tokens -------------------------------------------------------

def test_token_from_the_api_is_stored_hashed(app, client):
    with app.app_context():
        user_id = make_user("lilei").id
    response = _sign_in(client, "LiLei", name="my bot")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["user"] == {"id": user_id, "username": "lilei", "role": "fan", "level": 1}
    plaintext = body["token"]
    assert plaintext.startswith("ff_") and len(plaintext) >= 40
    with app.app_context():
        row = db.session.scalar(select(tokens.ApiToken))
        assert row.name == "my bot" and row.user_id == user_id
        assert row.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
        assert row.prefix == plaintext[:11] and plaintext not in (row.prefix, row.token_hash)


def test_sign_in_by_email_and_default_name(app, client):
    with app.app_context():
        make_user("lilei")
    assert _sign_in(client, "lilei@example.com").status_code == 201
    with app.app_context():
        assert db.session.scalar(select(tokens.ApiToken.name)) == tokens_api.DEFAULT_NAME


def test_token_from_the_settings_page_is_shown_once(app, client, auth):
    with app.app_context():
        make_user("lilei")
    auth.login("lilei")
    response = client.post("/settings/tokens", data={"name": "home script"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "will not be shown again" in page
    with app.app_context():
        row = db.session.scalar(select(tokens.ApiToken))
    plaintext = page.split('data-testid="new-token-value">', 1)[1].split("<", 1)[0]
    assert tokens.hash_token(plaintext) == row.token_hash
    again = client.get("/settings").get_data(as_text=True)
    assert plaintext not in again
    assert "home script" in again and row.prefix in again
    me = client.get("/api/v1/me", headers=_bearer(plaintext))
    assert me.status_code == 200 and me.get_json()["username"] == "lilei"


def test_settings_page_token_name_errors(app, client, auth):
    with app.app_context():
        make_user("lilei")
    auth.login("lilei")
    assert client.post("/settings/tokens", data={"name": ""}).status_code == 422
    assert client.post("/settings/tokens", data={"name": "x" * 65}).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(tokens.ApiToken)) is None


def test_active_tokens_are_capped(ctx, monkeypatch):
    monkeypatch.setattr(tokens, "MAX_ACTIVE", 2)
    user = make_user()
    first, _ = tokens.create_token(user, "a")
    tokens.create_token(user, "b")
    with pytest.raises(DomainError) as error:
        tokens.create_token(user, "c")
    assert error.value.status == 409 and error.value.code == "too_many_tokens"
    tokens.revoke_token(user, first.id)
    tokens.create_token(user, "c")
    assert [t.name for t in tokens.list_tokens(user)] == ["c", "b"]


# ---- using and revoking them -----------------------------------------------

def test_bearer_token_authenticates(app, client):
    with app.app_context():
        make_user("lilei")
    token = _token(client)
    response = client.get("/api/v1/me", headers=_bearer(token))
    assert assert_conforms(client, response, "GET", "/api/v1/me")["username"] == "lilei"
    response = client.get("/api/v1/tokens", headers=_bearer(token))
    listed = assert_conforms(client, response, "GET", "/api/v1/tokens")
    assert [t["prefix"] for t in listed] == [token[:11]]
    assert "token" not in listed[0] and "token_hash" not in listed[0]


@pytest.mark.parametrize("header, code", [
    (None, "token_required"),
    ("Bearer ff_not-a-real-token", "invalid_token"),
    ("Bearer something-else", "invalid_token"),
    ("Basic bGlsZWk6cGFzcw==", "invalid_token"),
    ("Bearer", "invalid_token"),
])
def test_missing_or_bad_tokens_get_401(client, header, code):
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert assert_conforms(client, response, "GET", "/api/v1/me")["error"]["code"] == code


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer ff_not-a-real-token", "Basic eDp5"])
def test_a_broken_token_gets_401_on_public_routes_too(client, header):
    """A client whose token broke finds out, instead of reading as nobody."""
    assert client.get("/api/v1/ideas").status_code == 200
    response = client.get("/api/v1/ideas", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="fanforge", error="invalid_token"'
    body = assert_conforms(client, response, "GET", "/api/v1/ideas")
    assert body["error"]["code"] == "invalid_token" and body["error"]["message"]


def test_a_revoked_token_gets_401_on_public_routes(app, client):
    with app.app_context():
        make_user("lilei")
    token = _token(client)
    assert client.get("/api/v1/ideas", headers=_bearer(token)).status_code == 200
    assert client.delete("/api/v1/tokens/current", headers=_bearer(token)).status_code == 204
    response = client.get("/api/v1/ideas", headers=_bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_revoking_the_current_token_works_at_once(app, client):
    with app.app_context():
        make_user("lilei")
    token, other = _token(client), _token(client)
    response = client.delete("/api/v1/tokens/current", headers=_bearer(token))
    assert response.status_code == 204
    assert_conforms(client, response, "DELETE", "/api/v1/tokens/current")
    response = client.get("/api/v1/me", headers=_bearer(token))
    assert response.get_json()["error"]["code"] == "invalid_token"
    assert client.get("/api/v1/me", headers=_bearer(other)).status_code == 200


def test_revoking_by_id_only_reaches_own_tokens(app, client):
    with app.app_context():
        make_user("lilei")
        make_user("hanmei")
    mine, theirs = _token(client), _token(client, "hanmei")
    with app.app_context():
        their_id = db.session.scalar(select(tokens.ApiToken.id).where(
            tokens.ApiToken.token_hash == tokens.hash_token(theirs)))
    response = client.delete(f"/api/v1/tokens/{their_id}", headers=_bearer(mine))
    assert response.status_code == 404
    assert_conforms(client, response, "DELETE", "/api/v1/tokens/{token_id}")
    response = client.delete(f"/api/v1/tokens/{their_id}", headers=_bearer(theirs))
    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=_bearer(theirs)).status_code == 401


def test_revoking_on_the_settings_page(app, client, auth):
    with app.app_context():
        user = make_user("lilei")
        row, plaintext = tokens.create_token(user, "old bot")
        other, _ = tokens.create_token(make_user("hanmei"), "theirs")
    auth.login("lilei")
    assert client.post(f"/settings/tokens/{other.id}/revoke").status_code == 404
    response = client.post(f"/settings/tokens/{row.id}/revoke")
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=_bearer(plaintext)).status_code == 401
    assert 'data-testid="token-row"' not in client.get("/settings").get_data(as_text=True)


def test_session_cookie_is_ignored_under_the_api(app, client, auth, monkeypatch):
    with app.app_context():
        make_user("lilei")
    token = _token(client)
    auth.login("lilei")
    assert client.get("/settings").status_code == 200  # the cookie is good for pages

    def never(session_id):
        raise AssertionError("the API read the session cookie")

    monkeypatch.setattr(login_manager, "_user_callback", never)
    for path, headers in (("/api/v1/nope", {}), ("/api/v1/me", _bearer("ff_bad")),
                          ("/api/v1/me", {"Authorization": "Basic eA=="})):
        assert client.get(path, headers=headers).status_code in (401, 404)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_required"
    assert client.delete("/api/v1/tokens/current").status_code == 401
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200


def test_api_needs_no_csrf_token_and_cookies_cannot_ride_it(tmp_path):
    app = _sqlite_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user("lilei")
    client = app.test_client()
    assert client.post("/login", data={"login": "lilei", "password": PASSWORD}).status_code == 400
    token = _token(client)  # a JSON POST with no CSRF token is fine
    assert client.delete("/api/v1/tokens/current", headers=_bearer(token)).status_code == 204


def test_a_ban_stops_tokens_at_once(app, client):
    with app.app_context():
        make_user("troll")
        make_user("mod", role="staff")
    token = _token(client, "troll")
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    with app.app_context():
        sanctions_service.ban_user(accounts.get_by_username("troll"),
                            accounts.get_by_username("mod"), "spam")
        assert tokens.user_for_token(token) is None
    response = client.get("/api/v1/me", headers=_bearer(token))
    assert response.status_code == 403
    assert assert_conforms(client, response, "GET", "/api/v1/me")["error"]["code"] == "banned"
    response = _sign_in(client, "troll", PASSWORD)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "banned"


def test_last_used_is_written_at_most_hourly(ctx):
    user = make_user()
    row, plaintext = tokens.create_token(user, "bot")
    assert row.last_used_at is None

    def last_used():
        db.session.expire_all()
        return db.session.get(tokens.ApiToken, row.id).last_used_at

    assert tokens.user_for_token(plaintext).id == user.id
    first = last_used()
    assert first is not None
    tokens.user_for_token(plaintext)
    assert last_used() == first
    earlier = utcnow() - timedelta(hours=2)
    db.session.execute(update(tokens.ApiToken).values(last_used_at=earlier))
    db.session.commit()
    tokens.user_for_token(plaintext)
    assert last_used() > earlier + timedelta(hours=1)


def test_the_light_lookup_reads_a_plain_row_as_the_full_one_does(ctx):
    user = make_user()
    row, plaintext = tokens.create_token(user, "bot", ["read"])
    earlier = utcnow() - timedelta(minutes=5)
    db.session.execute(update(tokens.ApiToken).values(last_used_at=earlier))
    db.session.commit()
    reader, token = tokens.authenticate_token(plaintext, light=True)
    full, same = tokens.authenticate_token(plaintext)
    assert token == same == (row.id, earlier, frozenset({"read"}))
    assert (reader.id, reader.email_verified_at, reader.is_banned) == (
        full.id, full.email_verified_at, False)
    tokens.revoke_token(user, row.id)
    with pytest.raises(tokens.Unauthorized):
        tokens.authenticate_token(plaintext, light=True)


def test_user_for_token_rejects_garbage(ctx):
    assert tokens.user_for_token("") is None
    assert tokens.user_for_token(None) is None
    assert tokens.user_for_token("ff_" + "x" * 500) is None


# ---- bodies and errors -----------------------------------------------------

def test_wrong_password_is_401(app, client):
    with app.app_context():
        make_user("lilei")
    for username, password in (("lilei", "wrong-password"), ("nobody", PASSWORD)):
        response = _sign_in(client, username, password)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "invalid_credentials"


@pytest.mark.parametrize("data", ["not json", "[1, 2]", "null", ""])
def test_bodies_that_are_not_json_objects_are_400(client, data):
    response = client.post("/api/v1/tokens", data=data, content_type="application/json")
    assert response.status_code == 400
    assert assert_conforms(client, response, "POST", "/api/v1/tokens")["error"]["code"] == "bad_json"


def test_missing_and_bad_fields_are_422_with_field_errors(client):
    response = _sign_in(client, "", 12, name="x" * 65)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and error["field"] in error["fields"]
    assert set(error["fields"]) == {"username", "password", "name"}
    response = client.post("/api/v1/tokens", json={"password": PASSWORD})
    assert response.get_json()["error"]["fields"] == {"username": "This field is required."}


def test_sign_in_is_rate_limited_with_json_429(tmp_path):
    app = _sqlite_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute")
    client = app.test_client()
    codes = [_sign_in(client, "x", "y").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    response = _sign_in(client, "x", "y")
    assert response.get_json()["error"]["code"] == "rate_limited"


def test_unknown_routes_and_methods_answer_json(client):
    for path in ("/api/v1/whatever", "/api/v2/me", "/api", "/api/v1/me/"):
        response = client.get(path)
        assert response.status_code == 404 and response.is_json, path
        assert response.get_json()["error"]["code"] == "not_found"
    response = client.put("/api/v1/me")
    assert response.status_code == 405 and response.is_json
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_an_exception_in_an_api_view_is_a_json_500(tmp_path, monkeypatch):
    app = _sqlite_app(tmp_path, PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        make_user("lilei")
    client = app.test_client()
    token = _token(client)

    def broken(user):
        raise RuntimeError("boom")

    monkeypatch.setattr(tokens_api, "user_json", broken)
    response = client.get("/api/v1/me", headers=_bearer(token))
    assert response.status_code == 500 and response.is_json
    assert assert_conforms(client, response, "GET", "/api/v1/me")["error"]["code"] == "server_error"


# ---- plumbing for later API modules ----------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("", (1, 20)), ("?page=3&per_page=100", (3, 100)), ("?per_page=5", (1, 5)),
])
def test_page_args(app, query, expected):
    with app.test_request_context(f"/api/v1/x{query}"):
        assert core.page_args() == expected


@pytest.mark.parametrize("query", ["?page=0", "?page=-1", "?page=x", "?per_page=101",
                                   "?per_page=0", "?page=1" + "0" * 12])
def test_bad_page_args_are_400(app, query):
    with app.test_request_context(f"/api/v1/x{query}"), pytest.raises(DomainError) as error:
        core.page_args()
    assert error.value.status == 400 and error.value.field in ("page", "per_page")


def test_check_names_every_field_at_fault(app):
    schema = {"type": "object", "required": ["qty"], "additionalProperties": False,
              "properties": {"qty": {"type": "integer", "minimum": 1, "maximum": 9},
                             "tier": {"enum": ["a", "b"]},
                             "user": core.USER}}
    with app.test_request_context():
        with pytest.raises(core.InvalidBody) as error:
            core.check({"qty": 10, "tier": "c", "extra": 1, "user": {"id": "x"}}, schema)
        assert set(error.value.fields) == {"qty", "tier", "extra", "user.id", "user.username",
                                           "user.role", "user.level"}
        core.check({"qty": 3, "user": {"id": 1, "username": "a", "role": "fan", "level": 1}}, schema)
