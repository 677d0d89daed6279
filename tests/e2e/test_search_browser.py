"""Similar ideas appear while a title is typed, and the header search finds Chinese text,
in chromium against gunicorn."""

import pytest
from helpers import make_board, make_user

from community import search
from community.ideas import service as ideas

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(sqlite_app):
    with sqlite_app.app_context():
        board = make_board("band", "手环 Band")
        make_user("typist", password="long-enough-pass")
        idea = ideas.propose(board, make_user(), "希望增加 NFC 门禁卡 功能", "公司的门禁卡能不能模拟")
        search.drain()
        return {"board": board.slug, "idea": idea.id}


def test_similar_ideas_while_typing_then_post_anyway(site, world, new_page):
    page = new_page()
    page.goto(site + "/login")
    page.fill("#login", "typist")
    page.fill("#password", "long-enough-pass")
    page.click("[data-testid=submit-login]")
    page.wait_for_url(site + "/")

    page.goto(f"{site}/b/{world['board']}/ideas/new")
    assert page.locator("[data-testid=similar-ideas]").is_hidden()
    page.type("#title", "NFC门禁卡", delay=30)
    similar = page.locator("[data-testid=similar-idea]")
    similar.first.wait_for()
    assert "门禁卡" in similar.first.inner_text()
    assert similar.first.locator("a").get_attribute("href") == f"/ideas/{world['idea']}"

    # The list was shown while typing, so the submit goes straight through.
    page.fill("#title", "NFC 门禁卡 for the band too")
    page.fill("#body", "Mine is about the band.")
    page.wait_for_timeout(600)  # the debounced lookup
    page.click("[data-testid=submit-idea]")
    page.wait_for_url("**/ideas/*")
    assert page.url != f"{site}/ideas/{world['idea']}"


def test_header_search_finds_chinese_without_spaces(site, world, new_page):
    page = new_page()
    page.goto(site + "/")
    page.fill("[data-testid=header-search]", "门禁")
    page.press("[data-testid=header-search]", "Enter")
    page.wait_for_url("**/search?q=*")
    hit = page.locator("[data-testid=search-hit]").first
    assert hit.locator("mark").first.inner_text() == "门禁"
    assert hit.locator("a.hit-title").get_attribute("href") == f"/ideas/{world['idea']}"
