"""API GETs answer with an ETag over what they return, and 304 when the caller has it."""

import pytest
from helpers import make_board, make_user

from community.accounts import tokens
from community.ideas import service


@pytest.fixture
def api(sqlite_app):
    with sqlite_app.app_context():
        board = make_board("band")
        fan, other = make_user("lilei"), make_user("hanmei")
        idea_id = service.propose(board, other, "Longer battery life", "Two weeks").id
        _, fan_token = tokens.create_token(fan, "test")
        _, other_token = tokens.create_token(other, "test")
    client = sqlite_app.test_client()

    def get(path, token=None, etag=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if etag:
            headers["If-None-Match"] = etag
        return client.get(path, headers=headers)

    get.client, get.fan, get.other, get.idea_id = client, fan_token, other_token, idea_id
    return get


@pytest.mark.parametrize("path", ["/api/v1/ideas", "/api/v1/ideas/{idea}", "/api/v1/products",
                                  "/api/v1/rounds"])
def test_an_unchanged_answer_is_304_without_a_body(api, path):
    path = path.format(idea=api.idea_id)
    first = api(path)
    assert first.status_code == 200 and first.headers["ETag"]
    again = api(path, etag=first.headers["ETag"])
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    # Clients may send the tag weak, or several: one match is enough.
    assert api(path, etag=f'"other", W/{first.headers["ETag"]}').status_code == 304


def test_a_changed_list_has_a_new_etag_and_comes_whole(api):
    first = api("/api/v1/ideas")
    assert api.client.put(f"/api/v1/ideas/{api.idea_id}/vote",
                          headers={"Authorization": f"Bearer {api.fan}"}).status_code == 200
    changed = api("/api/v1/ideas", etag=first.headers["ETag"])
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert changed.get_json()["items"][0]["votes"] == 1


def test_a_readers_own_answer_never_matches_a_visitors_tag(api):
    api.client.put(f"/api/v1/ideas/{api.idea_id}/vote",
                   headers={"Authorization": f"Bearer {api.fan}"})
    visitor = api("/api/v1/ideas")
    fan = api("/api/v1/ideas", api.fan, etag=visitor.headers["ETag"])
    assert fan.status_code == 200 and fan.get_json()["items"][0]["voted"] is True
    assert fan.headers["ETag"] != visitor.headers["ETag"]
    # ...and the other way round: the visitor holding the fan's tag gets the full list.
    back = api("/api/v1/ideas", etag=fan.headers["ETag"])
    assert back.status_code == 200 and back.get_json()["items"][0]["voted"] is False
    # Someone who has not voted is shown the visitor's bytes: the same tag is right.
    other = api("/api/v1/ideas", api.other, etag=visitor.headers["ETag"])
    assert other.status_code == 304


def test_errors_and_writes_carry_no_etag(api):
    assert "ETag" not in api("/api/v1/ideas/999999").headers
    assert "ETag" not in api("/api/v1/ideas?sort=sideways").headers
    vote = api.client.put(f"/api/v1/ideas/{api.idea_id}/vote",
                          headers={"Authorization": f"Bearer {api.fan}"})
    assert vote.status_code == 200 and "ETag" not in vote.headers
