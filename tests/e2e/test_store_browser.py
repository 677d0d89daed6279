"""A fan who voted for its idea joins a product, votes in a poll, pre-orders from the
participation thread, finds the order in My pre-orders and cancels it, in chromium; a
newcomer who took no part is told how to earn a place."""

from datetime import timedelta

import pytest
from helpers import make_board, make_user

from community.ideas import service as ideas
from community.kernel.database import utcnow
from products.campaigns import service as campaigns
from products.catalog import polls, promotion

pytestmark = pytest.mark.e2e
PASSWORD = "long-enough-pass"


@pytest.fixture
def product(sqlite_app):
    with sqlite_app.app_context():
        staff = make_user("designer", role="staff")
        shopper = make_user("shopper", password=PASSWORD)
        make_user("newcomer", password=PASSWORD)
        idea = ideas.propose(make_board("band"), staff, "Twenty days of battery", "please")
        ideas.vote(idea.id, shopper)  # co-creation is earned: a vote for its idea
        product = promotion.promote(staff, [idea.id], "Forge Band 9", "forge-band-9", "The next band")
        polls.create_poll(product, staff, "Strap colour?", ["Black", "Coral"],
                          utcnow() + timedelta(days=2))
        campaign = campaigns.create_campaign(
            product, staff, 5, 20, utcnow() - timedelta(hours=1), utcnow() + timedelta(days=5), 2,
            [{"name": "Standard", "price_cents": 19900, "currency": "CNY"}], charge_mode="none")
        campaigns.publish(campaign.id, staff)
        return {"slug": product.slug, "thread": product.thread_id}


def test_join_vote_preorder_from_the_thread_and_cancel(site, product, signed_in):
    page = signed_in("shopper")

    page.goto(f"{site}/products/{product['slug']}")
    page.click("[data-testid=join-product]")
    page.wait_for_selector("[data-testid=cocreator-badge]")
    poll = page.locator("[data-testid=poll]")
    poll.locator("label", has_text="Coral").click()
    poll.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=poll-voted]")
    assert "Coral" in page.locator("[data-testid=poll-voted]").inner_text()

    page.goto(f"{site}/t/{product['thread']}")
    widget = page.locator("[data-testid=campaign-widget]")
    widget.locator("[data-testid=preorder-quantity]").fill("2")
    widget.locator("[data-testid=preorder-submit]").click()
    page.wait_for_url("**/preorders/**")
    page.goto(f"{site}/me/preorders")
    order = page.locator("[data-testid=my-preorders] li").first
    assert "Forge Band 9" in order.inner_text() and "× 2" in order.inner_text()
    assert order.locator("[data-testid=order-state]").inner_text() == "Reserved"

    page.once("dialog", lambda dialog: dialog.accept())
    order.locator("[data-testid=cancel-order]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=order-state]").first.inner_text() == "Cancelled"
    page.goto(f"{site}/products/{product['slug']}")
    assert page.locator("[data-testid=units-reserved]").inner_text() == "0"


def test_a_newcomer_is_told_how_to_earn_a_place(site, product, signed_in):
    page = signed_in("newcomer")
    page.goto(f"{site}/products/{product['slug']}")
    page.click("[data-testid=join-product]")
    page.wait_for_selector("text=Co-creators are fans who took part")
    assert page.locator("[data-testid=cocreator-badge]").count() == 0
    assert page.locator("[data-testid=join-product]").count() == 1
