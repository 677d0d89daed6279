""""Notify me" on a 390 px phone, in chromium: a fan follows a product before its campaign
exists, staff open the campaign, and (once the worker has told its watchers) the fan
finds the notice and follows it back to the product."""

import pytest
from helpers import make_campaign, make_product, make_user
from playwright.sync_api import expect

from community.mail import broadcast

pytestmark = pytest.mark.e2e

PASSWORD = "long-enough-pass"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def draft(sqlite_app):
    with sqlite_app.app_context():
        staff = make_user("boss", role="staff", password=PASSWORD)
        make_user("lilei", password=PASSWORD)
        product = make_product(staff=staff, slug="forge-band-9")
        campaign = make_campaign(product=product, staff=staff, publish=False)
        return {"slug": product.slug, "name": product.name, "campaign": campaign.id}


def test_a_fan_who_asked_to_be_notified_hears_the_campaign_open(sqlite_app, site, draft,
                                                                 signed_in):
    fan = signed_in("lilei", PASSWORD, **PHONE)
    product_url = f"{site}/products/{draft['slug']}"
    fan.goto(product_url)
    notify = fan.locator("[data-testid=notify-me-button]")
    expect(notify).to_be_visible()
    notify.click()
    expect(fan.locator("[data-testid=following-product]")).to_be_visible()
    fan.reload()  # it sticks
    expect(fan.locator("[data-testid=following-product]")).to_be_visible()

    staff = signed_in("boss", PASSWORD, **PHONE)
    staff.goto(f"{site}/campaigns/{draft['campaign']}")
    staff.click("[data-testid=publish]")
    expect(staff.locator("[data-testid=publish]")).to_have_count(0)

    with sqlite_app.app_context():  # this process plays the worker
        broadcast.run_due()

    fan.goto(f"{site}/notifications")
    item = fan.locator("[data-testid=event]").first
    expect(item).to_contain_text(f"Pre-orders for “{draft['name']}” are open.")
    item.locator("a.event-text").click()
    fan.wait_for_url(product_url)
    expect(fan.locator("[data-testid=following-product]")).to_be_visible()
