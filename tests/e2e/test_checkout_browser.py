"""In chromium: a fan picks a colour on the product page, pre-orders, adds an address from
the pay step, pays with the dummy gateway's success card and sees the order paid; another
fan's card is declined, and once their hold runs out the units are back on sale."""

from datetime import timedelta

import pytest
from helpers import make_board, make_product, make_user
from playwright.sync_api import expect

from community.kernel.database import utcnow
from products.campaigns import service as campaigns
from products.catalog import variants
from products.payments import reservations

pytestmark = pytest.mark.e2e
PASSWORD = "long-enough-pass"


@pytest.fixture
def shop(sqlite_app):
    with sqlite_app.app_context():
        staff = make_user("merchant", role="staff")
        for name in ("payer", "decliner"):
            make_user(name, password=PASSWORD)
        product = make_product(make_board("band"), staff, slug="forge-band-9")
        colour = variants.add_option(product, staff, "Colour")
        for label in ("Black", "Coral"):
            variants.add_value(product, staff, colour.id, label)
        variants.generate_variants(product, staff)
        campaign = campaigns.create_campaign(
            product, staff, 5, 20, utcnow() - timedelta(hours=1), utcnow() + timedelta(days=5), 2,
            [{"name": "Standard", "price_cents": 19900, "currency": "CNY"}], charge_mode="full")
        campaigns.publish(campaign.id, staff)
        return {"slug": product.slug}


def _preorder(page, site, shop, colour):
    page.goto(f"{site}/products/{shop['slug']}")
    widget = page.locator("[data-testid=campaign-widget]")
    widget.locator("[data-testid=preorder-variant]").select_option(label=colour)
    widget.locator("[data-testid=preorder-submit]").click()
    page.wait_for_url("**/preorders/**")
    expect(page.locator("[data-testid=pay-box]")).to_be_visible()


def _add_address(page):
    page.click("[data-testid=picker-add-address]")
    page.fill("#recipient", "王小明")
    page.fill("#phone", "13800138000")
    page.fill("#region", "北京市")
    page.fill("#city", "北京市")
    page.fill("#street", "清华园 1 号")
    page.fill("#postal_code", "100084")
    page.click("[data-testid=address-form] button[type=submit]")
    page.wait_for_url("**/preorders/**")


def _pay(page, card):
    page.click("[data-testid=pay]")
    page.wait_for_url("**/payments/dummy/checkout/**")
    page.fill("[data-testid=card-number]", card)
    page.click("[data-testid=pay-card]")


def test_pick_a_colour_add_an_address_and_pay(site, shop, signed_in, sqlite_app):
    payer = signed_in("payer")
    _preorder(payer, site, shop, "Coral")
    _add_address(payer)
    assert "王小明" in payer.locator("[data-testid=address-picker]").inner_text()
    _pay(payer, "4242 4242 4242 4242")
    payer.wait_for_url("**/preorders/**")
    expect(payer.locator("[data-testid=payment-status]")).to_have_text("Paid")
    assert payer.locator("[data-testid=pay-box]").count() == 0
    assert "清华园 1 号" in payer.locator("[data-testid=ship-to]").inner_text()
    expect(payer.locator("[data-testid=step-captured]")).to_contain_text("¥199.00")

    decliner = signed_in("decliner")
    _preorder(decliner, site, shop, "Black")
    _add_address(decliner)
    _pay(decliner, "4000 0000 0000 0002")
    expect(decliner.locator(".flash, [role=alert]").first).to_contain_text("declined")
    decliner.goto(f"{site}/products/{shop['slug']}")
    expect(decliner.locator("[data-testid=units-reserved]")).to_have_text("2")  # held while paying
    with sqlite_app.app_context():
        assert reservations.expire_unpaid(now=utcnow() + timedelta(minutes=16)) == 1
    decliner.reload()
    expect(decliner.locator("[data-testid=units-reserved]")).to_have_text("1")  # back on sale
