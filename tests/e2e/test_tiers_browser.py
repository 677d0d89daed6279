"""A locked tier explains itself on a 390 px phone, in chromium: a fan who is not a
co-creator sees the early tier locked with why and how to unlock it before submitting, the
tier they can buy already chosen, and the page no wider than the phone; the product page's
tabs switch in place and keep ?tab= for a reload."""

from datetime import timedelta

import pytest
from helpers import PASSWORD, make_campaign, make_product, make_user
from playwright.sync_api import expect

from community.kernel.database import utcnow

pytestmark = pytest.mark.e2e
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def product_url(sqlite_app):
    with sqlite_app.app_context():
        make_user("newfan")
        product = make_product(slug="band-founders")
        make_campaign(product=product, tiers=[
            {"name": "Founders", "price_cents": 19900, "currency": "CNY", "limit_units": 50,
             "early_until": utcnow() + timedelta(hours=12),
             "includes": "The band, two straps and a card signed by the team"},
            {"name": "Standard", "price_cents": 22900, "currency": "CNY"}])
        return f"/products/{product.slug}"


def test_a_locked_tier_explains_itself(site, signed_in, product_url):
    page = signed_in("newfan", PASSWORD, **PHONE)
    page.goto(site + product_url)
    founders = page.locator("[data-testid=tier][data-lock=early]")
    expect(founders).to_contain_text("Founders")
    expect(founders).to_contain_text("Locked: for co-creators and F-code holders until")
    expect(founders).to_contain_text("The band, two straps and a card signed by the team")
    expect(founders.locator("input[type=radio]")).to_be_disabled()
    standard = page.locator("[data-testid=tier]", has_text="Standard").locator("input[type=radio]")
    expect(standard).to_be_checked()
    expect(page.get_by_test_id("preorder-submit")).to_be_enabled()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    unlock = founders.get_by_role("link", name="join as a co-creator")
    expect(unlock).to_be_visible()
    unlock.click()
    page.wait_for_url("**#join")
    expect(page.get_by_test_id("join-product")).to_be_in_viewport()


def test_the_product_tabs_switch_in_place(site, new_page, product_url):
    page = new_page(**PHONE)
    page.goto(site + product_url)
    comments = page.get_by_role("tab", name="Comments")
    comments.click()
    expect(comments).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("panel-comments")).to_be_visible()
    expect(page.get_by_test_id("panel-story")).to_be_hidden()
    assert page.url.endswith(f"{product_url}?tab=comments")
    comments.press("ArrowLeft")  # to Updates, by the keyboard
    expect(page.get_by_role("tab", name="Updates")).to_be_focused()
    expect(page.get_by_test_id("panel-updates")).to_be_visible()
    page.reload()
    expect(page.get_by_role("tab", name="Updates")).to_have_attribute("aria-selected", "true")
