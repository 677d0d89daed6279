"""The search page, the JSON API, the similar-ideas endpoint and the new-idea form's
duplicate check without JavaScript."""

import pytest
from apicheck import assert_conforms
from helpers import PASSWORD, AuthActions, make_board, make_thread, make_user

from community import search
from community.ideas import service as ideas
from community.ideas.models import Idea
from community.search.models import SearchOutbox


@pytest.fixture
def world(sqlite_app):
    with sqlite_app.app_context():
        board = make_board(slug="bands", name="Bands")
        author = make_user("proposer")
        idea = ideas.propose(board, author, "希望增加 NFC 门禁卡 功能", "公司的门禁卡能不能模拟")
        thread = make_thread(board, author, "Batteries drain fast", "The batteries die quickly.")
        search.drain()
        return {"idea": idea.id, "thread": thread.id}


@pytest.fixture
def client(sqlite_app):
    return sqlite_app.test_client()


def test_results_page_with_filters_and_highlights(client, world):
    page = client.get("/search?q=门禁卡").get_data(as_text=True)
    assert f'href="/ideas/{world["idea"]}"' in page
    assert '<mark>门禁卡</mark>' in page
    assert "1 result" in page and 'data-testid="type-product"' in page
    assert f'/t/{world["thread"]}' not in page
    assert f'href="/t/{world["thread"]}"' in client.get("/search?q=battery&type=thread&board=bands").text
    assert "Nothing found" in client.get("/search?q=battery&type=idea").text
    assert client.get("/search?q=battery&type=nope").status_code == 400
    assert client.get("/search?q=battery&sort=nope").status_code == 400
    assert client.get("/search?q=battery&board=nope").status_code == 404
    assert client.get("/search?q=battery&page=0").status_code == 400


def test_results_page_messages(client, world):
    assert client.get("/search").status_code == 200  # just the form
    for q in ["*", "AND", '"', "x" * 201]:
        response = client.get("/search", query_string={"q": q})
        assert response.status_code == 200 and 'data-testid="search-message"' in response.text
    assert 'data-testid="did-you-mean"' not in client.get("/search?q=battery").text


def test_header_has_the_search_box(client, world):
    assert 'data-testid="header-search"' in client.get("/").text
    assert 'value="battery"' in client.get("/search?q=battery").text


def test_api_search_conforms_to_the_document(client, world):
    response = client.get("/api/v1/search?q=NFC%20门禁卡")
    body = assert_conforms(client, response, "GET", "/api/v1/search")
    assert body["total"] == 1 and body["page"] == 1
    assert [(i["type"], i["id"]) for i in body["items"]] == [("idea", world["idea"])]
    assert body["items"][0]["url"].endswith(f"/ideas/{world['idea']}")
    assert "<mark" in body["items"][0]["snippet"] and body["items"][0]["score"] > 0
    response = client.get("/api/v1/search?q=battery&type=thread&board=bands&sort=date&page=1")
    assert [i["id"] for i in assert_conforms(client, response, "GET", "/api/v1/search")["items"]] \
        == [world["thread"]]


@pytest.mark.parametrize("query", ["", "q=", "q=" + "x" * 201, "q=a&type=nope", "q=a&sort=x",
                                   "q=a&page=0", "q=a&page=51", "q=a&page=x"])
def test_api_rejects_bad_arguments_with_a_clear_error(client, world, query):
    response = client.get("/api/v1/search?" + query)
    body = assert_conforms(client, response, "GET", "/api/v1/search")
    assert response.status_code == 400 and body["error"]["code"] == "bad_query"
    assert body["error"]["message"]


@pytest.mark.parametrize("q", ["*", "AND", '"', "NOT battery"])
def test_api_answers_unsearchable_queries_with_a_message(client, world, q):
    response = client.get("/api/v1/search", query_string={"q": q})
    body = assert_conforms(client, response, "GET", "/api/v1/search")
    assert body["items"] == [] and body["total"] == 0 and body["message"]


def test_api_unknown_board_is_404(client, world):
    response = client.get("/api/v1/search?q=a&board=nope")
    assert response.status_code == 404
    assert_conforms(client, response, "GET", "/api/v1/search")


def test_similar_ideas_endpoint(client, world):
    body = client.get("/search/similar-ideas?title=NFC门禁卡&board=bands").get_json()
    assert [(i["id"], i["status"], i["votes"], i["votes_label"]) for i in body["items"]] == [
        (world["idea"], "open", 0, "0 votes")]
    assert body["items"][0]["status_label"] == "Open" and body["items"][0]["url"]
    assert client.get("/search/similar-ideas?title=").get_json() == {"items": []}
    assert client.get("/search/similar-ideas?title=*").get_json() == {"items": []}


def test_new_idea_form_shows_similar_ideas_before_posting_without_javascript(sqlite_app, client,
                                                                             world):
    AuthActions(client).login("proposer", PASSWORD)
    form = {"title": "NFC 门禁卡 功能", "body": "我也想要", "submit_token": "t1"}
    first = client.post("/b/bands/ideas/new", data=form)
    assert first.status_code == 200  # not posted: the list is shown first
    assert 'data-testid="similar-idea"' in first.text and 'name="post_anyway"' in first.text
    assert f'href="/ideas/{world["idea"]}"' in first.text
    assert 'value="NFC 门禁卡 功能"' in first.text  # what was typed is kept
    with sqlite_app.app_context():
        assert Idea.query.count() == 1
    second = client.post("/b/bands/ideas/new", data=dict(form, post_anyway="1"))
    assert second.status_code == 302
    with sqlite_app.app_context():
        assert Idea.query.count() == 2


def test_new_idea_form_posts_straight_away_when_nothing_is_alike(sqlite_app, client, world):
    AuthActions(client).login("proposer", PASSWORD)
    form = {"title": "Solar charging strap", "body": "A strap with a solar cell."}
    assert client.post("/b/bands/ideas/new", data=form).status_code == 302
    page = client.get("/b/bands/ideas/new")
    assert 'data-similar="/search/similar-ideas?board=bands"' in page.text
    with sqlite_app.app_context():
        assert SearchOutbox.query.count() == 1  # the test client never closed the response


def test_results_page_paginates_and_sorts(sqlite_app, client):
    with sqlite_app.app_context():
        board, author = make_board(slug="fruit"), make_user()
        for i in range(25):
            make_thread(board, author, f"Rambutan note {i}", "rambutan " * (i + 1))
        search.drain()
    first = client.get("/search?q=rambutan").text
    assert first.count('data-testid="search-hit"') == 20
    # Ranked, the count is whoosh's estimate once a page is full (block-max skipping).
    assert "25 results" in first and 'href="/search?q=rambutan&amp;page=2"' in first
    assert 'href="/search?q=rambutan&amp;sort=date"' in first
    second = client.get("/search?q=rambutan&page=2").text
    assert second.count('data-testid="search-hit"') == 5 and 'rel="prev"' in second
    newest = client.get("/search?q=rambutan&sort=date").text
    assert "Page 1 of 2" in newest  # by date every match is seen: the count is exact
    assert newest.index("note 24</a>") < newest.index("note 23</a>") < newest.index("note 5</a>")
