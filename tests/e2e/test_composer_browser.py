"""The composer on a 390 px phone, in chromium: a draft survives a reload, a refused reply
keeps its text beside the reason, Preview shows the post, "@" suggests names."""

import pytest
from helpers import PASSWORD, make_board, make_user
from playwright.sync_api import expect

from community.ideas import service as ideas

pytestmark = pytest.mark.e2e
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def idea_url(sqlite_app):
    with sqlite_app.app_context():
        board = make_board("band", "Band")
        author = make_user("lilei")
        make_user("hanmei")
        make_user("hanxiao")
        return f"/ideas/{ideas.propose(board, author, 'Longer battery', 'Two weeks').id}"


def test_a_reply_draft_survives_a_reload_and_a_refusal(site, signed_in, idea_url):
    page = signed_in("hanmei", PASSWORD, **PHONE)
    page.goto(site + idea_url)
    box = page.locator("#body")
    box.fill("I would pay more for @lilei's idea")
    expect(page.get_by_test_id("composer-status")).to_have_text("Draft saved")
    page.reload()
    expect(box).to_have_value("I would pay more for @lilei's idea")

    page.get_by_test_id("composer-preview").click()
    panel = page.get_by_test_id("composer-preview-panel")
    expect(panel.locator("a.mention")).to_have_attribute("href", "/u/lilei")
    page.get_by_test_id("composer-write").click()

    # The server refuses a link from a level-1 fan (LINKS_MIN_LEVEL is 2): the text and
    # the reason come back together.
    box.fill("Cheaper at https://deals.example/band")
    page.get_by_test_id("submit-reply").click()
    page.wait_for_url(f"**{idea_url}#reply")
    expect(box).to_have_value("Cheaper at https://deals.example/band")
    expect(page.get_by_test_id("composer-warnings")).to_contain_text("level")
    expect(box).to_be_focused()

    box.fill("Cheaper elsewhere, I hear")
    page.get_by_test_id("submit-reply").click()
    page.wait_for_url(f"**{idea_url}#post-*")
    page.reload()
    expect(box).to_have_value("")


def test_at_suggests_names_and_picks_one_with_the_keyboard(site, signed_in, idea_url):
    page = signed_in("hanmei", PASSWORD, **PHONE)
    page.goto(site + idea_url)
    box = page.locator("#body")
    box.click()
    box.type("Ask @han")
    people = page.get_by_test_id("composer-people")
    expect(people.locator("li")).to_have_text(["@hanxiao"])
    box.press("Enter")
    expect(box).to_have_value("Ask @hanxiao ")
    expect(people).to_be_hidden()
