"""Sessions end on the server: sign-out, a new password, and the CSRF token at sign-in."""

import re
import uuid

import pytest
from apicheck import assert_conforms
from helpers import PASSWORD, build_app, make_user

from community.accounts import passwords
from community.accounts import service as accounts
from community.kernel.errors import ValidationError
from community.kernel.extensions import db


def _copy_cookies(source, names):
    """A fresh client holding copies of `source`'s cookies, as a thief would."""
    thief = source.application.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        thief.set_cookie(name, cookie.value)
    return thief


def _signed_in_as(client, name):
    return f">{name}</a>" in client.get("/").get_data(as_text=True)


def test_sign_out_ends_the_session_cookie_and_the_remember_cookie(app, auth):
    with app.app_context():
        make_user("lilei")
    auth.login("lilei", remember=True)
    assert auth.client.get("/settings").status_code == 200
    session_copy = _copy_cookies(auth.client, ["session"])
    remember_copy = _copy_cookies(auth.client, ["remember_token"])
    assert session_copy.get("/settings").status_code == 200
    assert remember_copy.get("/settings").status_code == 200  # the cookie works until...
    auth.logout()
    assert session_copy.get("/settings").status_code == 302
    assert remember_copy.get("/settings").status_code == 302
    assert not _signed_in_as(session_copy, "lilei")
    assert auth.login("lilei").status_code == 302  # signing in again works


def test_sign_out_holds_on_stored_pages_too(app, auth):
    """A stored page's hit loads a light reader (community/viewer/readers.py): it checks too."""
    with app.app_context():
        make_user("lilei")
    auth.login("lilei")
    auth.client.get("/")
    hit = auth.client.get("/")
    assert hit.headers.get("X-Page-Cache") == "hit" and ">lilei</a>" in hit.get_data(as_text=True)
    copy = _copy_cookies(auth.client, ["session"])
    auth.logout()
    page = copy.get("/").get_data(as_text=True)
    assert ">lilei</a>" not in page and 'href="/login' in page


def test_sign_in_gets_a_new_csrf_token(tmp_path):
    app = build_app(f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.sqlite3", tmp_path,
                    WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        make_user("lilei")
    client = app.test_client()

    def token():
        html = client.get("/login").get_data(as_text=True)
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    planted = token()
    assert client.post("/login", data={"login": "lilei", "password": PASSWORD,
                                       "csrf_token": planted}).status_code == 302
    # The token from before sign-in no longer passes; the new page's one does.
    assert client.post("/logout", data={"csrf_token": planted}).status_code == 400
    assert client.get("/settings").status_code == 200
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/settings").get_data(as_text=True)).group(1)
    assert fresh != planted
    assert client.post("/logout", data={"csrf_token": fresh}).status_code == 302


def test_a_new_password_revokes_api_tokens_and_ends_other_sessions(app, auth):
    with app.app_context():
        make_user("lilei")
    api = app.test_client()
    token = api.post("/api/v1/tokens", json={"username": "lilei", "password": PASSWORD}) \
        .get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/me", headers=bearer).status_code == 200
    other = app.test_client()
    other.post("/login", data={"login": "lilei", "password": PASSWORD})
    auth.login("lilei")
    response = auth.client.post("/settings", data={
        "current_password": PASSWORD, "new_password": "brand-new-pass-7",
        "confirm": "brand-new-pass-7"})
    assert response.status_code == 302
    assert "API tokens were revoked" in auth.client.get("/settings").get_data(as_text=True)
    assert other.get("/settings").status_code == 302
    response = api.get("/api/v1/me", headers=bearer)
    assert response.status_code == 401
    assert assert_conforms(api, response, "GET", "/api/v1/me")["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("password, reason", [
    ("12345678", "one of the most common passwords"),
    ("password1", "very common password"),
    ("qwertyuiop", "most common passwords"),
    ("iloveyou", "most common passwords"),
    ("lileilei99", "too easy to guess"),  # the username with a little added
])
def test_weak_passwords_are_refused_with_a_reason(ctx, password, reason):
    with pytest.raises(ValidationError) as refused:
        accounts.register("lileilei", "lilei@example.com", password)
    assert reason in refused.value.message and refused.value.field == "password"
    user = make_user("lileilei")
    with pytest.raises(ValidationError) as refused:
        passwords.change_password(user, PASSWORD, password)
    assert refused.value.field == "new_password"


def test_a_weak_password_is_refused_in_chinese_on_the_forms(client, app, auth):
    with app.app_context():
        make_user("lilei")
    response = client.post("/register?lang=zh", data={
        "username": "newfan", "email": "new@example.com", "password": "12345678"},
        headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert "最常见的密码" in response.get_data(as_text=True)
    auth.login("lilei")
    response = auth.client.post("/settings", data={
        "current_password": PASSWORD, "new_password": "password1", "confirm": "password1"},
        headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "very common password" in response.get_data(as_text=True)
