"""A fan checks in, sees the streak and the points, and earns the first-idea medal."""

import pytest
from helpers import make_board, make_user

pytestmark = pytest.mark.e2e
PASSWORD = "long-enough-pass"


@pytest.fixture
def fan(sqlite_app):
    with sqlite_app.app_context():
        make_user("keen", password=PASSWORD)
        make_board("band", "手环 Band")
    return "keen"


def test_check_in_streak_points_and_first_idea_medal(site, fan, signed_in):
    page = signed_in(fan)

    page.click("[data-testid=checkin]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=checkin]").count() == 0  # done for today
    page.goto(f"{site}/u/{fan}")
    assert "1-day streak" in page.locator("[data-testid=streak]").inner_text()
    assert page.locator("[data-testid=points]").inner_text() == "2 points"
    assert page.locator(".calendar td.done").count() == 1

    page.goto(f"{site}/b/band/ideas/new")
    page.fill("#title", "Longer battery life please")
    page.fill("#body", "Two weeks with heart-rate on.")
    page.click("[data-testid=submit-idea]")
    page.wait_for_url("**/ideas/*")
    page.goto(f"{site}/u/{fan}")
    medals = page.locator("[data-testid=medals]")
    assert medals.locator("[data-medal=first_idea]").count() == 1
    assert page.locator("[data-testid=points]").inner_text() == "12 points"
