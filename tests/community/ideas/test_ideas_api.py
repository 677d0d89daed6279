from datetime import timedelta

import pytest
from apicheck import assert_conforms
from helpers import make_board, make_user
from sqlalchemy import update

from community.accounts import tokens
from community.ideas import service, statuses
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.rounds import service as rounds
from community.rounds.models import Round


@pytest.fixture
def api(app):
    with app.app_context():
        board = make_board("band")
        service.set_board_tags(board, ["battery", "nfc"])
        fan, staff = make_user("lilei"), make_user("boss", role="staff")
        _, fan_token = tokens.create_token(fan, "test")
        _, staff_token = tokens.create_token(staff, "test")
    client = app.test_client()

    def call(method, path, token=None, **kw):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.open(path, method=method, headers=headers, **kw)

    call.fan, call.staff, call.client = fan_token, staff_token, client
    return call


def _propose(api, **body):
    data = {"board": "band", "title": "Longer battery life", "body": "Two weeks", "tags": ["battery"]}
    data.update(body)
    return api("POST", "/api/v1/ideas", api.fan, json=data)


def test_propose_list_show_vote(app, api):
    created = _propose(api)
    assert created.status_code == 201
    idea = assert_conforms(app, created, "POST", "/api/v1/ideas")
    assert idea["tags"] == ["battery"] and idea["status"] == "open" and idea["voted"] is False
    path = f"/api/v1/ideas/{idea['id']}/vote"
    for _ in range(2):  # PUT is idempotent
        response = api("PUT", path, api.fan)
        assert assert_conforms(app, response, "PUT", "/api/v1/ideas/{idea_id}/vote") == {
            "voted": True, "votes": 1}
    listing = api("GET", "/api/v1/ideas?sort=hot&board=band&tag=battery", api.fan)
    body = assert_conforms(app, listing, "GET", "/api/v1/ideas")
    assert body["total"] == 1 and body["items"][0]["voted"] is True and body["items"][0]["votes"] == 1
    anonymous = api("GET", "/api/v1/ideas")
    assert anonymous.get_json()["items"][0]["voted"] is False
    for _ in range(2):
        response = api("DELETE", path, api.fan)
        assert response.get_json() == {"voted": False, "votes": 0}
    detail = assert_conforms(app, api("GET", f"/api/v1/ideas/{idea['id']}"), "GET", "/api/v1/ideas/{idea_id}")
    assert detail["body_html"] == "<p>Two weeks</p>\n" and detail["merged_into"] is None


def test_staff_status_change_with_response(app, api):
    idea_id = _propose(api).get_json()["id"]
    path = f"/api/v1/ideas/{idea_id}/status"
    assert api("POST", path, api.fan, json={"status": "planned", "response": "x"}).status_code == 403
    bad = api("POST", path, api.staff, json={"status": "nearly-done", "response": "x"})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "unknown_status"
    done = api("POST", path, api.staff, json={"status": "planned", "response": "On the **roadmap**"})
    body = assert_conforms(app, done, "POST", "/api/v1/ideas/{idea_id}/status")
    assert body["status"] == "planned"
    assert body["official_responses"][0]["response_html"] == "<p>On the <strong>roadmap</strong></p>\n"
    assert [(c["from"], c["to"]) for c in body["status_history"]] == [("open", "planned")]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [({"title": "x" * 500}, 422, "invalid"), ({"tags": ["nope"]}, 422, "invalid"),
     ({"board": "missing"}, 404, "not_found"), ({"title": "abcd"}, 422, "invalid"),
     ({"tags": ["a", "b", "c", "d", "e", "f"]}, 422, "invalid"), ({"extra": 1}, 422, "invalid")],
)
def test_bad_proposals(app, api, body, status, code):
    response = _propose(api, **body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert api("GET", "/api/v1/ideas").get_json()["total"] == 0


def test_vote_errors(app, api):
    idea_id = _propose(api).get_json()["id"]
    other = _propose(api, title="The original idea").get_json()["id"]
    assert api("PUT", "/api/v1/ideas/999/vote", api.fan).status_code == 404
    assert api("PUT", f"/api/v1/ideas/{idea_id}/vote").status_code == 401
    with app.app_context():
        from community.accounts.service import get_by_username

        statuses.merge(idea_id, other, get_by_username("boss"))
    response = api("PUT", f"/api/v1/ideas/{idea_id}/vote", api.fan)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "idea_merged"
    assert api("GET", f"/api/v1/ideas/{idea_id}").get_json()["merged_into"] == other


@pytest.mark.parametrize("query", ["sort=sideways", "status=done", "per_page=101", "page=0"])
def test_bad_list_queries(api, query):
    response = api("GET", f"/api/v1/ideas?{query}")
    assert response.status_code == 400 and "error" in response.get_json()


def test_rounds_api(app, api):
    with app.app_context():
        from community.accounts.service import get_by_username

        staff = get_by_username("boss")
        board = make_board()
        now = utcnow()
        live = rounds.create_round(board, staff, "Live one", "Tell us", now - timedelta(hours=1),
                                   now + timedelta(days=1), vote_budget=2)
        idea = service.propose(board, staff, "Round idea here", "b", round_id=live.id)
        service.vote(idea.id, get_by_username("lilei"))
        db.session.execute(update(Round).where(Round.id == live.id).values(
            starts_at=now - timedelta(days=2), ends_at=now - timedelta(minutes=1)))
        db.session.commit()
        live_id = live.id
    listing = assert_conforms(app, api("GET", "/api/v1/rounds"), "GET", "/api/v1/rounds")
    assert [r["id"] for r in listing["closed"]] == [live_id]
    detail = assert_conforms(app, api("GET", f"/api/v1/rounds/{live_id}"), "GET", "/api/v1/rounds/{round_id}")
    assert detail["state"] == "closed" and detail["results"][0]["votes"] == 1
    assert detail["participation"] == {"fans": 2, "ideas": 1, "votes": 1}
    assert api("GET", "/api/v1/rounds/999").status_code == 404
