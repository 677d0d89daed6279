"""Signing in with two-factor sign-in, through the real forms: the code step, what the
half-signed-in state is not, its expiry and rate limit, staff made to set it up, the
settings pages that turn it on and off."""

import re
import uuid

import pyotp
import pytest
from helpers import PASSWORD, build_app, make_user
from test_two_factor_service import code_at, turned_on

from community.accounts import links, passwords, roles, tokens, twofactor
from community.accounts import service as accounts
from community.kernel.extensions import db

pytestmark = pytest.mark.one_database


def _signed_in(client, name):
    return f">{name}</a>" in client.get("/").get_data(as_text=True)


def _secret_on(page):
    return re.search(r'data-testid="two-factor-secret">([A-Z2-7]+)<', page).group(1)


def _codes_on(page):
    return re.findall(r'data-testid="recovery-code">([a-z0-9-]+)<', page)


def _with_two_factor(app, name="lilei", role="fan"):
    with app.app_context():
        user = make_user(name, role=role)
        secret, codes = turned_on(user)
    return secret, codes


def test_the_code_step_follows_a_right_password(app, client):
    secret, _codes = _with_two_factor(app)
    response = client.post("/login?next=/settings", data={"login": "lilei", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    # Half-way counts as signed in nowhere: pages, the settings, the API.
    assert not _signed_in(client, "lilei")
    assert client.get("/settings").status_code == 302
    assert client.get("/api/v1/me").status_code == 401
    page = client.get("/login/code")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    wrong = client.post("/login/code", data={"code": "000000" if code_at(secret, 1) != "000000"
                                             else "111111"})
    assert wrong.status_code == 422 and "That code is not right" in wrong.get_data(as_text=True)
    assert not _signed_in(client, "lilei")
    done = client.post("/login/code", data={"code": code_at(secret, 1)})
    assert done.status_code == 302 and done.headers["Location"] == "/settings"
    assert _signed_in(client, "lilei")


def test_a_code_used_to_sign_in_cannot_sign_in_again(app, client):
    secret, _codes = _with_two_factor(app)
    code = code_at(secret, 1)
    client.post("/login", data={"login": "lilei", "password": PASSWORD})
    assert client.post("/login/code", data={"code": code}).status_code == 302
    other = app.test_client()  # someone who saw the code over a shoulder, with the password
    other.post("/login", data={"login": "lilei", "password": PASSWORD})
    assert other.post("/login/code", data={"code": code}).status_code == 422
    assert not _signed_in(other, "lilei")


def test_a_recovery_code_signs_in_once(app, client):
    _secret, codes = _with_two_factor(app)
    client.post("/login", data={"login": "lilei", "password": PASSWORD})
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 302
    assert _signed_in(client, "lilei")
    other = app.test_client()
    other.post("/login", data={"login": "lilei", "password": PASSWORD})
    assert other.post("/login/code", data={"code": codes[0]}).status_code == 422


def test_the_half_way_state_expires_and_dies_with_a_new_password(app, client):
    secret, _codes = _with_two_factor(app)
    app.config["TWO_FACTOR_PENDING_SECONDS"] = -1
    client.post("/login", data={"login": "lilei", "password": PASSWORD})
    late = client.post("/login/code", data={"code": code_at(secret, 1)})
    assert late.status_code == 302 and late.headers["Location"] == "/login"
    assert not _signed_in(client, "lilei")
    app.config["TWO_FACTOR_PENDING_SECONDS"] = 300
    client.post("/login", data={"login": "lilei", "password": PASSWORD})
    with app.app_context():
        passwords.end_sessions(accounts.get_by_username("lilei").id)
    ended = client.post("/login/code", data={"code": code_at(secret, 1)})
    assert ended.headers["Location"] == "/login" and not _signed_in(client, "lilei")
    assert client.get("/login/code").headers["Location"] == "/login"  # nobody half-way


def test_codes_are_rate_limited_per_account_from_any_client(tmp_path):
    app = build_app(f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.sqlite3", tmp_path,
                    RATELIMIT_ENABLED=True, RATELIMIT_TWO_FACTOR="3 per 5 minutes")
    with app.app_context():
        db.create_all()
    secret, _codes = _with_two_factor(app)
    statuses = []
    for _n in range(2):  # two clients, one account: one budget
        guesser = app.test_client()
        guesser.post("/login", data={"login": "lilei", "password": PASSWORD})
        statuses += [guesser.post("/login/code", data={"code": "123456"}).status_code
                     for _try in range(2)]
    assert statuses == [422, 422, 422, 429]
    # Even the right code waits out the budget; the account's sign-in has not happened.
    assert guesser.post("/login/code", data={"code": code_at(secret, 1)}).status_code == 429
    assert not _signed_in(guesser, "lilei")
    with app.app_context():
        db.engine.dispose()


def test_a_password_reset_link_does_not_skip_the_code(app, client):
    secret, _codes = _with_two_factor(app)
    with app.app_context():
        token = links.reset_token(accounts.get_by_username("lilei"))
    response = client.post(f"/reset-password/{token}", data={"new_password": "another-long-pass-7",
                                       "confirm": "another-long-pass-7"})
    assert response.headers["Location"] == "/login/code"
    assert not _signed_in(client, "lilei")
    client.post("/login/code", data={"code": code_at(secret, 1)})
    assert _signed_in(client, "lilei")


def test_a_fan_turns_it_on_and_off_in_the_settings(app, client, auth):
    with app.app_context():
        make_user("lilei")
    auth.login("lilei")
    other = app.test_client()
    other.post("/login", data={"login": "lilei", "password": PASSWORD})
    assert 'data-testid="two-factor-off"' in client.get("/settings/two-factor").get_data(as_text=True)
    setup = client.get("/settings/two-factor/setup")
    page = setup.get_data(as_text=True)
    assert setup.headers["Cache-Control"] == "no-store" and "<svg" in page
    secret = _secret_on(page)
    refused = client.post("/settings/two-factor/setup",
                          data={"password": "wrong", "code": code_at(secret)})
    assert refused.status_code == 422
    shown = client.post("/settings/two-factor/setup",
                        data={"password": PASSWORD, "code": pyotp.TOTP(secret).now()})
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    codes = _codes_on(shown.get_data(as_text=True))
    assert len(codes) == 10
    assert _signed_in(client, "lilei")  # this session goes on...
    assert not _signed_in(other, "lilei")  # ...the others ended
    status = client.get("/settings/two-factor").get_data(as_text=True)
    assert 'data-testid="two-factor-on"' in status and "10 recovery codes left" in status
    # Off: the password and a code (here a recovery code).
    assert client.post("/settings/two-factor/disable",
                       data={"off-password": PASSWORD, "off-code": "nope"}).status_code == 422
    off = client.post("/settings/two-factor/disable",
                      data={"off-password": PASSWORD, "off-code": codes[0]})
    assert off.status_code == 302 and _signed_in(client, "lilei")
    with app.app_context():
        assert not twofactor.is_enabled(accounts.get_by_username("lilei"))
    auth.logout()
    assert auth.login("lilei").headers["Location"] == "/"  # one step again


def test_new_recovery_codes_from_the_settings(app, client):
    secret, codes = _with_two_factor(app)
    client.post("/login", data={"login": "lilei", "password": PASSWORD})
    client.post("/login/code", data={"code": codes[0]})
    shown = client.post("/settings/two-factor/recovery-codes",
                        data={"codes-password": PASSWORD, "codes-code": code_at(secret, 1)})
    fresh = _codes_on(shown.get_data(as_text=True))
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    with app.app_context():
        user = accounts.get_by_username("lilei")
        assert not twofactor.verify_second_factor(user, codes[1])
        assert twofactor.verify_second_factor(user, fresh[0])


@pytest.fixture
def enforced(app):
    app.config["TWO_FACTOR_ENFORCE"] = "staff"
    return app


def test_staff_set_it_up_before_any_staff_page_opens(enforced, client):
    app = enforced
    with app.app_context():
        make_user("keeper", role="staff")
    response = client.post("/login?next=/mod/log", data={"login": "keeper", "password": PASSWORD})
    assert response.headers["Location"] == "/login/two-factor/setup"
    # Not signed in meanwhile: no staff page, no settings, nothing of the account.
    assert client.get("/mod/log").status_code == 302
    assert client.get("/settings").status_code == 302
    assert not _signed_in(client, "keeper")
    page = client.get("/login/two-factor/setup").get_data(as_text=True)
    assert "Staff accounts sign in with a code" in page
    secret = _secret_on(page)
    wrong = client.post("/login/two-factor/setup", data={"code": "12345x"})
    assert wrong.status_code == 422 and not _signed_in(client, "keeper")
    shown = client.post("/login/two-factor/setup", data={"code": pyotp.TOTP(secret).now()})
    body = shown.get_data(as_text=True)
    assert len(_codes_on(body)) == 10 and 'href="/mod/log"' in body
    assert client.get("/mod/log").status_code == 200
    # Staff cannot turn it off.
    settings = client.get("/settings/two-factor").get_data(as_text=True)
    assert 'data-testid="two-factor-required"' in settings
    assert 'data-testid="two-factor-turn-off"' not in settings
    client.post("/settings/two-factor/disable",
                data={"off-password": PASSWORD, "off-code": code_at(secret, 1)})
    with app.app_context():
        assert twofactor.is_enabled(accounts.get_by_username("keeper"))
    # The next sign-in asks for the code.
    client.post("/logout")
    again = client.post("/login", data={"login": "keeper", "password": PASSWORD})
    assert again.headers["Location"] == "/login/code"


def test_a_fan_made_staff_is_signed_out_and_sets_it_up_next_time(enforced, client, auth):
    app = enforced
    with app.app_context():
        make_user("rising")
    auth.login("rising")
    assert _signed_in(client, "rising")
    with app.app_context():
        roles.set_role("rising", "staff")
    assert not _signed_in(client, "rising")
    assert auth.login("rising").headers["Location"] == "/login/two-factor/setup"
    assert client.get("/login/code").headers["Location"] == "/login/two-factor/setup"


def test_a_staff_session_without_it_ends_once_it_is_required(app, client, auth):
    """The rule came in (or was turned on) while staff were signed in: their sessions end,
    and the next sign-in sets it up. A staff member with it on keeps theirs, stored pages
    included (the check runs as the reader loads, before a page records its reads)."""
    with app.app_context():
        make_user("keeper", role="staff")
        secret, _codes = turned_on(make_user("guard", role="staff"))
    auth.login("keeper")
    assert client.get("/mod/log").status_code == 200
    guard = app.test_client()
    guard.post("/login", data={"login": "guard", "password": PASSWORD})
    guard.post("/login/code", data={"code": code_at(secret, 1)})
    app.config["TWO_FACTOR_ENFORCE"] = "staff"
    assert client.get("/mod/log").status_code == 302
    assert not _signed_in(client, "keeper")
    assert guard.get("/mod/log").status_code == 200
    guard.get("/")
    hit = guard.get("/")
    assert hit.headers.get("X-Page-Cache") == "hit" and ">guard</a>" in hit.get_data(as_text=True)


def test_staff_api_routes_refuse_a_staff_account_without_it(app, client):
    """A token with staff scopes made before the rule came in stops doing staff work."""
    with app.app_context():
        plaintext = tokens.create_token(make_user("keeper", role="staff"), "t")[1]
    app.config["TWO_FACTOR_ENFORCE"] = "staff"
    response = client.post("/api/v1/products", json={},
                           headers={"Authorization": f"Bearer {plaintext}"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "two_factor_required"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 200


def test_remember_me_rides_through_the_code_step_and_sign_out_drops_half_way(app, client):
    secret, _codes = _with_two_factor(app)
    client.post("/login", data={"login": "lilei", "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is None  # not until the code
    client.post("/login/code", data={"code": code_at(secret, 1)})
    assert client.get_cookie("remember_token") is not None
    other = app.test_client()
    other.post("/login", data={"login": "lilei", "password": PASSWORD})
    other.post("/logout")
    assert other.get("/login/code").headers["Location"] == "/login"
