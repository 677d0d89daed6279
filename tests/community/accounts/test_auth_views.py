import pytest
from helpers import PASSWORD, make_user

from community.accounts import service
from community.moderation import service as sanctions_service

pytestmark = pytest.mark.one_database


def test_register_says_check_your_mail_and_signing_in_works(client, app):
    response = client.post("/register", data={"username": "newfan", "email": "new@example.com",
                                              "password": "long-enough"})
    assert response.status_code == 200
    assert "Check your mail" in response.get_data(as_text=True)
    with app.app_context():
        assert service.get_by_username("newfan").role == "fan"
    client.post("/login", data={"login": "newfan", "password": "long-enough"})
    assert "newfan" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "taken", "email": "x@example.com", "password": "long-enough"}, "username is already taken"),
        ({"username": "fresh", "email": "x@example.com", "password": "short"}, "at least 8 characters"),
        ({"username": "fresh", "email": "bad-email", "password": "long-enough"}, "valid email"),
    ],
)
def test_register_form_errors(client, app, data, message):
    with app.app_context():
        make_user("taken", email="taken@example.com")
    response = client.post("/register", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert service.count_users() == 1


def test_login_logout(client, app, auth):
    with app.app_context():
        make_user("lilei")
    response = auth.login("lilei", "wrong-password")
    assert response.status_code == 422
    assert "Wrong username, email or password" in response.get_data(as_text=True)
    assert auth.login("lilei").status_code == 302
    assert 'href="/settings"' in client.get("/").get_data(as_text=True)
    auth.logout()
    assert client.get("/settings").status_code == 302


def test_remember_me_sets_a_lasting_cookie(client, app, auth):
    with app.app_context():
        make_user("lilei")
    auth.login("lilei", remember=True)
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.expires is not None
    assert cookie.http_only


def test_session_cookie_flags(client, app, auth):
    with app.app_context():
        make_user("lilei")
    response = auth.login("lilei")
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/b/band", "/b/band"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_redirects_on_site(client, app, target, expected):
    with app.app_context():
        make_user("lilei")
    response = client.post("/login", data={"login": "lilei", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_change_password_ends_other_sessions(app, auth):
    with app.app_context():
        make_user("lilei")
    other = app.test_client()
    other.post("/login", data={"login": "lilei", "password": PASSWORD})
    assert other.get("/settings").status_code == 200
    auth.login("lilei")
    response = auth.client.post("/settings", data={"current_password": PASSWORD,
                                                   "new_password": "brand-new-pass",
                                                   "confirm": "brand-new-pass"})
    assert response.status_code == 302
    assert auth.client.get("/settings").status_code == 200  # this session lives on
    assert other.get("/settings").status_code == 302  # the other one is signed out
    auth.logout()
    assert auth.login("lilei", "brand-new-pass").status_code == 302


def test_change_password_form_errors(app, auth):
    with app.app_context():
        make_user("lilei")
    auth.login("lilei")
    response = auth.client.post("/settings", data={"current_password": "wrong-one",
                                                   "new_password": "brand-new-pass",
                                                   "confirm": "brand-new-pass"})
    assert response.status_code == 422
    assert "current password is not right" in response.get_data(as_text=True)
    response = auth.client.post("/settings", data={"current_password": PASSWORD,
                                                   "new_password": "brand-new-pass",
                                                   "confirm": "different-pass"})
    assert "The passwords differ" in response.get_data(as_text=True)


def test_banned_user_is_signed_out_and_cannot_sign_in(app, auth):
    with app.app_context():
        make_user("troll")
        make_user("mod", role="staff")
    auth.login("troll")
    assert auth.client.get("/settings").status_code == 200
    with app.app_context():
        sanctions_service.ban_user(service.get_by_username("troll"), service.get_by_username("mod"), "spam")
    assert auth.client.get("/settings").status_code == 302
    response = auth.login("troll")
    assert response.status_code == 422
    assert "banned" in response.get_data(as_text=True)


def test_profile_lists_threads_and_replies_paginated(app, client):
    from helpers import make_board

    from community.forum import service as forum

    with app.app_context():
        author = make_user("writer")
        board = make_board()
        threads = [forum.create_thread(board, author, f"Topic {i:02d}", "body") for i in range(25)]
        forum.reply(threads[0], author, "a reply of mine")
    page1 = client.get("/u/writer").get_data(as_text=True)
    assert "Joined" in page1
    assert "Topic 24" in page1 and "Topic 05" in page1 and "Topic 04" not in page1
    page2 = client.get("/u/writer?page=2").get_data(as_text=True)
    assert "Topic 04" in page2 and "Topic 00" in page2
    replies = client.get("/u/writer?tab=replies").get_data(as_text=True)
    assert "a reply of mine" in replies
    assert client.get("/u/nobody").status_code == 404
    assert client.get("/u/writer?page=-1").status_code == 400


def test_the_browsers_icon_request_cannot_undo_a_sign_in(client, app):
    """A browser asks for /favicon.ico by itself, often while the sign-in form is being
    sent. Its answer must not carry the session as it was before the sign-in (a 404 page
    did, and the browser then kept that cookie: signed out again)."""
    with app.app_context():
        make_user("lilei")
    client.post("/locale", data={"locale": "en"})  # a visitor's session: their language
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page
    before_sign_in = client.get_cookie("session").value
    assert client.post("/login", data={"login": "lilei", "password": PASSWORD}).status_code == 302
    with client.get("/favicon.ico", headers={"Cookie": f"session={before_sign_in}"}) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert "Set-Cookie" not in icon.headers
    assert 'class="me">lilei' in client.get("/").get_data(as_text=True)


def test_my_pre_orders_are_one_tap_from_my_own_profile_and_nobody_elses(client, app):
    with app.app_context():
        make_user("lilei")
        make_user("hanmei")
    visitor = app.test_client().get("/u/lilei").get_data(as_text=True)
    client.post("/login", data={"login": "lilei", "password": PASSWORD})
    own, other = (client.get(f"/u/{name}").get_data(as_text=True) for name in ("lilei", "hanmei"))
    assert 'data-testid="profile-preorders"' in own and 'href="/me/preorders"' in own
    assert 'data-testid="profile-preorders"' not in other
    assert 'data-testid="profile-preorders"' not in visitor
    # The visitors' stored copy of the profile never gains the owner's link.
    assert 'data-testid="profile-preorders"' not in app.test_client().get("/u/lilei").get_data(as_text=True)
