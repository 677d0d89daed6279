"""The roadmap: columns, the board filter, the product on a card, hidden ideas left out,
its JSON twin and its labels in both languages."""

import pytest
from apicheck import assert_conforms
from roadmap_world import build

from community.forum import boards
from community.roadmap import board as roadmap


@pytest.fixture
def world(app):
    return build(app)


def _column_ids(columns):
    return {column.key: [card.id for card in column.cards] for column in columns}


def test_columns_hold_planned_in_progress_and_shipped(app, world):
    with app.app_context():
        columns = _column_ids(roadmap.columns())
    assert list(columns) == ["planned", "in_progress", "shipped"]
    # The most voted first; open ideas and hidden ones are not on the roadmap.
    assert columns["planned"] == [world["popular"], world["planned"]]
    assert columns["in_progress"] == [world["building"]]
    assert columns["shipped"] == [world["done"]]


def test_a_board_filter_keeps_that_boards_ideas(app, world):
    with app.app_context():
        band = _column_ids(roadmap.columns(_board_id(app, "band")))
        home = _column_ids(roadmap.columns(_board_id(app, "home")))
    assert band["in_progress"] == [] and band["shipped"] == [world["done"]]
    assert home == {"planned": [], "in_progress": [world["building"]], "shipped": []}


def _board_id(app, slug):
    return boards.get_board(slug).id


def test_the_page_shows_cards_votes_and_products(client, world):
    page = client.get("/roadmap").get_data(as_text=True)
    assert "Sleep tracking" in page and "Dark dashboard" in page and "Bigger screen" in page
    assert "2 votes" in page
    assert 'href="/products/band-pro"' in page and "Band Pro" in page
    assert "Secret hidden plan" not in page and "Louder alarm" not in page
    filtered = client.get("/roadmap?board=home").get_data(as_text=True)
    assert "Dark dashboard" in filtered and "Sleep tracking" not in filtered
    assert client.get("/roadmap?board=nope").status_code == 404


def test_visitors_share_a_stored_roadmap(client, world):
    assert client.get("/roadmap").headers.get("X-Page-Cache") == "miss"
    assert client.get("/roadmap").headers.get("X-Page-Cache") == "hit"


def test_the_roadmap_in_chinese(client, world):
    page = client.get("/roadmap", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "路线图" in page and "已计划" in page and "开发中" in page and "已上线" in page


def test_the_roadmap_in_english(client, world):
    page = client.get("/roadmap", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Roadmap" in page and "Planned" in page and "In progress" in page


def test_the_api_roadmap_conforms(client, world):
    response = client.get("/api/v1/roadmap")
    body = assert_conforms(client, response, "GET", "/api/v1/roadmap")
    columns = {column["key"]: column for column in body["columns"]}
    planned = columns["planned"]["ideas"]
    assert [card["id"] for card in planned] == [world["popular"], world["planned"]]
    assert planned[1]["product"] == {"name": "Band Pro",
                                     "url": "http://fanforge.test/products/band-pro"}
    assert planned[0]["product"] is None and planned[0]["votes"] == 2
    assert planned[0]["url"] == f"http://fanforge.test/ideas/{world['popular']}"
    assert all(card["id"] != world["hidden"] for c in body["columns"] for card in c["ideas"])
    home = client.get("/api/v1/roadmap?board=home")
    assert assert_conforms(client, home, "GET", "/api/v1/roadmap")["board"] == "home"
    missing = client.get("/api/v1/roadmap?board=nope")
    assert missing.status_code == 404
    assert_conforms(client, missing, "GET", "/api/v1/roadmap")
