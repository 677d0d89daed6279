"""A fan proposes an idea and votes; staff change its status with a response; the fan
sees the notification, in chromium, with the fan and staff in two browser contexts."""

import pytest
from helpers import make_board, make_user
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "long-enough-pass"


@pytest.fixture
def board(sqlite_app):
    with sqlite_app.app_context():
        make_user("lilei", password=PASSWORD)
        make_user("boss", role="staff", password=PASSWORD)
        return make_board("band", "手环 Band").slug


def test_fan_hears_of_the_status_change_on_their_idea(site, board, signed_in):
    fan = signed_in("lilei", PASSWORD)
    fan.goto(f"{site}/b/{board}/ideas/new")
    fan.fill("#title", "Two weeks of battery")
    fan.fill("#body", "Charging every other day is a chore.")
    fan.click("[data-testid=submit-idea]")
    fan.wait_for_url("**/ideas/*")
    idea_url = fan.url
    follow = fan.locator(".idea-actions [data-testid=follow-button]")
    assert follow.inner_text() == "Following"  # proposing follows the idea
    fan.click("[data-testid=vote-button]")
    expect(fan.locator(".vote-count")).to_have_text("1")
    assert fan.locator("[data-testid=bell-count]").count() == 0

    staff = signed_in("boss", PASSWORD)
    staff.goto(idea_url)
    staff.select_option("[data-testid=status-select]", "planned")
    staff.fill("[data-testid=status-response]", "We are building it for the **next** band.")
    staff.click("[data-testid=status-submit]")
    staff.wait_for_selector("[data-testid=official-response]")
    assert staff.locator("[data-testid=bell-count]").count() == 0  # nobody tells you your own news

    fan.goto(site + "/")
    assert fan.locator("[data-testid=bell-count]").inner_text() == "1"
    fan.click("[data-testid=bell]")  # the drop-down shows it, and so marks it read
    expect(fan.locator("[data-testid=bell-item].unread")).to_contain_text(
        "boss moved “Two weeks of battery” to Planned")
    expect(fan.locator("[data-testid=bell-count]")).to_have_count(0)
    fan.click("[data-testid=bell-see-all]")
    fan.wait_for_url(site + "/notifications")
    item = fan.locator("[data-testid=event]").first
    assert "boss moved “Two weeks of battery” to Planned" in item.inner_text()
    assert "We are building it for the next band." in item.inner_text()
    assert fan.locator("[data-testid=bell-count]").count() == 0
    item.locator("a.event-text").click()
    fan.wait_for_url(idea_url)
    assert "next" in fan.locator("[data-testid=official-response]").inner_text()

    # Unfollowing with the button works without a reload, and sticks.
    fan.evaluate("window.__marker = 'same page'")
    follow.click()
    expect(fan.locator(".idea-actions .follow-button")).to_have_attribute("aria-pressed", "false")
    assert fan.evaluate("window.__marker") == "same page"
    fan.reload()
    assert fan.locator(".idea-actions [data-testid=follow-button]").inner_text() == "Follow"
