import pytest
from helpers import make_board, make_user

from community.accounts import service as accounts
from community.ideas import service, statuses
from community.ideas.models import Idea
from community.kernel.extensions import db

pytestmark = pytest.mark.one_database


@pytest.fixture
def board(app):
    with app.app_context():
        board = make_board("band", "手环 Band")
        service.set_board_tags(board, ["battery", "nfc"])
        make_user("lilei")
        make_user("boss", role="staff")
        return board.slug


def _propose(client, board, **data):
    form = {"title": "Longer battery life", "body": "Two **weeks** please", "tags": ["battery"]}
    form.update(data)
    return client.post(f"/b/{board}/ideas/new", data=form)


def test_propose_vote_and_see_it_listed(app, client, auth, board):
    auth.login("lilei")
    response = _propose(client, board)
    assert response.status_code == 302
    url = response.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Longer battery life" in page and "<strong>weeks</strong>" in page and "#battery" in page
    assert client.post(url + "/vote", data={"vote": "1"}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="vote-count">1<' in page and 'aria-pressed="true"' in page
    assert "lilei" in page.split('data-testid="voters"')[1]
    listing = client.get(f"/b/{board}/ideas").get_data(as_text=True)
    assert "Longer battery life" in listing
    assert client.get("/ideas?tag=battery").status_code == 200


def test_vote_json_toggles_without_reload(app, client, auth, board):
    auth.login("lilei")
    url = _propose(client, board).headers["Location"]
    headers = {"Accept": "application/json"}
    assert client.post(url + "/vote", data={"vote": "1"}, headers=headers).get_json() == {
        "voted": True, "votes": 1}
    assert client.post(url + "/vote", data={"vote": "0"}, headers=headers).get_json() == {
        "voted": False, "votes": 0}


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"title": "x" * 500}, 422, "120 characters or fewer"),
        ({"title": "abc"}, 422, "at least 5 characters"),
        ({"tags": ["not-a-tag"]}, 422, "Not on this board&#39;s tag list"),
        ({"body": ""}, 422, "This field is required"),
    ],
)
def test_bad_proposals_show_errors(app, client, auth, board, data, status, message):
    auth.login("lilei")
    response = _propose(client, board, **data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Idea.id))) == 0


def test_votes_on_declined_or_unknown_ideas_are_clear_errors(app, client, auth, board):
    auth.login("lilei")
    url = _propose(client, board).headers["Location"]
    idea_id = int(url.rsplit("/", 1)[1])
    with app.app_context():
        statuses.change_status(idea_id, accounts.get_by_username("boss"), "declined", "Not now.")
    response = client.post(url + "/vote", data={"vote": "1"}, headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "voting_closed"
    response = client.post("/ideas/999/vote", data={"vote": "1"}, headers={"Accept": "application/json"})
    assert response.status_code == 404
    page = client.get(url).get_data(as_text=True)
    assert "Not now." in page and 'data-testid="official-response"' in page


def test_staff_change_status_with_response_and_merge(app, client, auth, board):
    auth.login("lilei")
    a = _propose(client, board, title="Duplicate of B").headers["Location"]
    b = _propose(client, board, title="The original B").headers["Location"]
    client.post(a + "/vote", data={"vote": "1"})
    assert client.post(a + "/status", data={"status": "planned", "response": "x"}).status_code == 403
    auth.logout()
    auth.login("boss")
    client.post(b + "/status", data={"status": "under_review", "response": "We are **looking**."})
    page = client.get(b).get_data(as_text=True)
    assert "<strong>looking</strong>" in page and 'data-testid="timeline"' in page
    b_id = int(b.rsplit("/", 1)[1])
    response = client.post(a + "/merge", data={"target": b_id})
    assert response.headers["Location"].endswith(f"/ideas/{b_id}")
    page_a = client.get(a).get_data(as_text=True)
    assert 'data-testid="merged-into"' in page_a and "The original B" in page_a
    page_b = client.get(b).get_data(as_text=True)
    assert 'data-testid="vote-count">1<' in page_b  # lilei's vote moved over


def test_idea_threads_redirect_to_the_idea_and_replies_land_there(app, client, auth, board):
    auth.login("lilei")
    url = _propose(client, board).headers["Location"]
    with app.app_context():
        idea = db.session.get(Idea, int(url.rsplit("/", 1)[1]))
        thread_id = idea.thread_id
    assert client.get(f"/t/{thread_id}").headers["Location"] == url
    response = client.post(f"/t/{thread_id}/reply", data={"body": "Me too!"})
    assert response.headers["Location"].startswith(url + "#post-")
    assert "Me too!" in client.get(url).get_data(as_text=True)
    response = client.post(f"/t/{thread_id}/reply", data={"body": ""})
    assert response.headers["Location"] == url + "#reply"


def test_shipped_page_credits_proposers(app, client, auth, board):
    auth.login("lilei")
    url = _propose(client, board, title="Ship me please").headers["Location"]
    with app.app_context():
        statuses.change_status(int(url.rsplit("/", 1)[1]), accounts.get_by_username("boss"),
                               "shipped", "Out in 2.0")
    page = client.get("/ideas/shipped").get_data(as_text=True)
    assert "Ship me please" in page and "Proposed by lilei" in page and "0 voters" in page


@pytest.mark.parametrize("query", ["sort=sideways", "status=done", "period=year&sort=top", "page=0"])
def test_bad_list_arguments_are_400(client, board, query):
    assert client.get(f"/ideas?{query}").status_code == 400


def test_staff_edit_board_tags(app, client, auth, board):
    auth.login("boss")
    client.post(f"/b/{board}/tags", data={"tags": "battery, screen, screen"})
    with app.app_context():
        assert [t.name for t in service.board_tags(1)] == ["battery", "screen"]
