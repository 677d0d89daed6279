"""Conversations over /api/v1, checked against the OpenAPI document."""

import pytest
from apicheck import assert_conforms
from helpers import make_board, make_user

from community.accounts import tokens
from community.ideas import service as ideas


@pytest.fixture
def api(app):
    with app.app_context():
        people = {name: make_user(name) for name in ("li", "mei", "wang", "outsider")}
        keys = {name: tokens.create_token(user, "t")[1] for name, user in people.items()}
        idea = ideas.propose(make_board(), people["li"], "Share me please", "body")
    client = app.test_client()

    def call(method, path, who=None, json=None):
        headers = {"Authorization": f"Bearer {keys[who]}"} if who else {}
        return client.open(path, method=method, headers=headers, json=json)

    call.idea = idea.id
    return call


def test_start_send_poll_and_list(app, api):
    started = api("POST", "/api/v1/conversations", "li", {"participants": ["mei"]})
    conversation = assert_conforms(app, started, "POST", "/api/v1/conversations")
    assert started.status_code == 201 and conversation["kind"] == "direct"
    assert conversation["participants"] == ["mei"]
    again = api("POST", "/api/v1/conversations", "mei", {"participants": ["li"]})
    assert again.status_code == 200 and again.get_json()["id"] == conversation["id"]
    path = f"/api/v1/conversations/{conversation['id']}/messages"
    sent = api("POST", path, "li", {"body": "Hello *Mei*"})
    message = assert_conforms(app, sent, "POST", "/api/v1/conversations/{conversation_id}/messages")
    assert sent.status_code == 201 and "<em>Mei</em>" in message["body_html"]
    shared = api("POST", path, "li", {"share": {"kind": "idea", "id": api.idea}})
    card = shared.get_json()["card"]
    assert (card["kind"], card["id"], card["available"], card["figures"]["votes"]) == (
        "idea", api.idea, True, 0)
    listed = assert_conforms(app, api("GET", "/api/v1/conversations", "mei"), "GET",
                             "/api/v1/conversations")
    assert listed["items"][0]["unread"] is True
    polled = assert_conforms(app, api("GET", f"{path}?after=0", "mei"), "GET",
                             "/api/v1/conversations/{conversation_id}/messages")
    assert [m["id"] for m in polled["items"]] == [message["id"], shared.get_json()["id"]]
    assert api("GET", f"{path}?after={polled['last_id']}", "mei").get_json() == {
        "items": [], "last_id": polled["last_id"]}
    assert api("GET", "/api/v1/conversations", "mei").get_json()["items"][0]["unread"] is False
    assert len(api("GET", path, "mei").get_json()["items"]) == 2  # the latest, without after


def test_groups_and_bad_input(app, api):
    group = api("POST", "/api/v1/conversations", "li",
                {"participants": ["mei", "wang"], "title": "Trip"}).get_json()
    assert group["kind"] == "group" and sorted(group["participants"]) == ["mei", "wang"]
    assert api("POST", "/api/v1/conversations", "li", {"participants": ["nobody"]}).status_code == 422
    assert api("POST", "/api/v1/conversations", "li", {"participants": []}).status_code == 422
    path = f"/api/v1/conversations/{group['id']}/messages"
    assert api("POST", path, "li", {}).status_code == 422
    hidden = api("POST", path, "li", {"share": {"kind": "idea", "id": 999_999}})
    assert hidden.status_code == 422 and hidden.get_json()["error"]["code"] == "share_not_visible"
    assert api("GET", path, "li").get_json()["items"] == []


def test_blocking_over_the_api(app, api):
    block = "/api/v1/users/{username}/block"
    blocked = api("PUT", "/api/v1/users/li/block", "mei")
    assert assert_conforms(app, blocked, "PUT", block) == {"blocked": True}
    refused = api("POST", "/api/v1/conversations", "li", {"participants": ["mei"]})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "blocked"
    assert api("PUT", "/api/v1/users/mei/block", "mei").status_code == 422
    assert api("PUT", "/api/v1/users/nobody/block", "mei").status_code == 404
    unblocked = api("DELETE", "/api/v1/users/li/block", "mei")
    assert assert_conforms(app, unblocked, "DELETE", block) == {"blocked": False}
    assert api("POST", "/api/v1/conversations", "li", {"participants": ["mei"]}).status_code == 201


def test_a_blocked_sender_writes_nothing(app, api):
    conversation = api("POST", "/api/v1/conversations", "li", {"participants": ["mei"]}).get_json()
    api("PUT", "/api/v1/users/li/block", "mei")
    path = f"/api/v1/conversations/{conversation['id']}/messages"
    refused = api("POST", path, "li", {"body": "hi?"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "blocked"
    assert api("GET", path, "mei").get_json()["items"] == []


def test_outsiders_get_404(app, api):
    conversation = api("POST", "/api/v1/conversations", "li", {"participants": ["mei"]}).get_json()
    path = f"/api/v1/conversations/{conversation['id']}/messages"
    api("POST", path, "li", {"body": "secret"})
    for method, body in (("GET", None), ("POST", {"body": "hi"})):
        response = api(method, path, "outsider", body)
        assert response.status_code == 404
        assert_conforms(app, response, method, "/api/v1/conversations/{conversation_id}/messages")
    assert api("GET", "/api/v1/conversations", "outsider").get_json()["items"] == []
