"""Joining a circle needs a confirmed address (FANFORGE_REQUIRE_VERIFIED_EMAIL, on by
default), as posting does: by the service, the page and the API, with the reason given."""

import pytest
from circle_factories import level_up, make_circle, make_fan
from helpers import PASSWORD, make_user

from community.accounts import tokens
from community.circles import access, invites, service
from community.kernel.errors import Forbidden


def test_an_unconfirmed_account_cannot_join_ask_or_start_a_circle(ctx):
    owner, unconfirmed = make_fan(), level_up(make_user(verified=False))
    open_circle = make_circle(owner)
    approval = make_circle(owner, visibility="approval")
    private = make_circle(owner, visibility="private")
    token = invites.create_invite(private, owner).token
    for circle, invite in ((open_circle, None), (approval, None), (private, token)):
        with pytest.raises(Forbidden) as caught:
            service.join(circle, unconfirmed, invite)
        assert caught.value.code == "email_unverified"
        assert access.membership(circle.id, unconfirmed) is None
    assert not service.has_requested(approval, unconfirmed)
    with pytest.raises(Forbidden) as caught:
        service.create_circle(unconfirmed, "Night runners", "night-runners")
    assert caught.value.code == "email_unverified"
    ctx.config["REQUIRE_VERIFIED_EMAIL"] = False
    assert service.join(open_circle, unconfirmed) == "joined"


def test_the_join_button_and_the_api_say_why(app, client):
    with app.app_context():
        make_user("unconfirmed", verified=False)
        slug = make_circle(name="Band lovers").slug
        token = tokens.create_token(make_user("api-unconfirmed", verified=False), "t")[1]
    assert client.post("/login", data={"login": "unconfirmed", "password": PASSWORD}).status_code == 302
    response = client.post(f"/circles/{slug}/join")
    assert response.headers["Location"] == f"/circles/{slug}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Confirm your email address first" in page and "Welcome to the circle" not in page
    zh = {"Accept-Language": "zh-CN,zh;q=0.9"}
    client.post(f"/circles/{slug}/join", headers=zh)
    assert "请先验证邮箱地址" in client.get(f"/circles/{slug}", headers=zh).get_data(True)
    refused = client.post(f"/api/v1/circles/{slug}/members",
                          headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "email_unverified"
