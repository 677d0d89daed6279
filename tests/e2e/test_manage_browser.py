"""Staff ways in, on a 390 px phone in chromium: the Manage menu in the top bar takes staff
to a campaign's funnel without typing a URL (issue 24's must-hold); a fan has no menu;
the idea picker fills a merge by title; the slug is previewed from the name as staff type."""

from datetime import timedelta

import pytest
from helpers import make_board, make_user
from playwright.sync_api import expect

from community.ideas import service as ideas
from community.kernel.database import utcnow
from products.campaigns import service as campaigns
from products.catalog import promotion

pytestmark = pytest.mark.e2e
PASSWORD = "long-enough-pass"
PHONE = {"viewport": {"width": 390, "height": 844}}


@pytest.fixture
def store(sqlite_app):
    with sqlite_app.app_context():
        staff = make_user("designer", role="staff", password=PASSWORD)
        make_user("shopper", password=PASSWORD)
        board = make_board("band")
        idea = ideas.propose(board, staff, "Twenty days of battery", "please")
        other = ideas.propose(board, staff, "A strap that glows in the dark", "please")
        product = promotion.promote(staff, [idea.id], "Forge Band 9", "", "The next band")
        campaign = campaigns.create_campaign(
            product, staff, 5, 20, utcnow() - timedelta(hours=1), utcnow() + timedelta(days=5), 2,
            [{"name": "Standard", "price_cents": 19900, "currency": "CNY"}], charge_mode="none")
        campaigns.publish(campaign.id, staff)
        return {"slug": product.slug, "idea": idea.id, "other": other.id}


def test_staff_reach_the_funnel_from_the_manage_menu_on_a_phone(site, store, signed_in):
    assert store["slug"] == "forge-band-9"  # made from the name
    page = signed_in("designer", **PHONE)
    page.goto(site + "/ideas")
    menu = page.get_by_test_id("manage-menu")
    expect(menu).to_be_visible()
    toggle = page.get_by_test_id("manage-toggle")
    toggle.focus()
    page.keyboard.press("Enter")  # a disclosure: opens by keyboard, no script needed
    expect(menu).to_have_attribute("open", "")
    link = menu.get_by_test_id("manage-products")
    expect(link).to_be_visible()
    page.keyboard.press("Escape")  # closes, focus back on the toggle
    expect(menu).not_to_have_attribute("open", "")
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(link).to_be_visible()
    # Open, the menu stays inside the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = menu.locator(".manage-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    link.click()
    page.wait_for_url(site + "/staff/products")
    row = page.locator(f"[data-testid=desk-product][data-slug={store['slug']}]")
    expect(row.get_by_test_id("desk-campaigns")).to_contain_text("Live")
    row.get_by_test_id("desk-funnel").click()
    page.wait_for_url(f"{site}/staff/products/{store['slug']}/funnel")
    expect(page.get_by_test_id("funnel")).to_be_visible()

    # The top bar keeps one row and the page its width on a 360 px phone, menu and all.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(site + "/ideas")
    expect(page.get_by_test_id("manage-toggle")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator(".site-header").bounding_box()["height"] <= 64

    # Me gathers the same pages on a phone.
    page.goto(site + "/me")
    expect(page.get_by_test_id("me-manage").get_by_test_id("me-manage-products")).to_be_visible()


def test_the_picker_fills_a_merge_and_the_slug_is_previewed(site, store, signed_in):
    page = signed_in("designer", **PHONE)
    page.goto(f"{site}/ideas/{store['idea']}")
    picker = page.get_by_test_id("idea-picker")
    expect(picker).to_be_visible()
    picker.get_by_test_id("picker-search").fill("glows")
    choice = picker.get_by_test_id("picker-idea")
    expect(choice).to_have_text(f"#{store['other']} A strap that glows in the dark")
    choice.click()
    expect(page.get_by_test_id("merge-target")).to_have_value(str(store["other"]))

    page.goto(site + "/staff/products/ready")
    page.fill("#name", "小米手环 9")
    expect(page.locator("#slug")).to_have_attribute("placeholder", "xiao-mi-shou-huan-9")


def test_a_fan_has_no_manage_menu(site, store, signed_in):
    page = signed_in("shopper", **PHONE)
    for path in ("/ideas", "/me"):
        page.goto(site + path)
        expect(page.get_by_test_id("manage-menu")).to_have_count(0)
        expect(page.get_by_test_id("me-manage")).to_have_count(0)
