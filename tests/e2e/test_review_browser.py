"""In chromium: a buyer whose pre-order was delivered reviews the product with a photo and
sees the review, its photo and the rating summary on the product page."""

import io

import pytest
from helpers import make_campaign, make_user
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import update

from community.kernel.database import transaction
from community.kernel.extensions import db
from products.fulfilment import service as fulfilment
from products.orders import service as orders
from products.orders.models import Order

pytestmark = pytest.mark.e2e
PASSWORD = "long-enough-pass"


@pytest.fixture
def delivered(sqlite_app):
    with sqlite_app.app_context():
        staff = make_user("merchant", role="staff")
        buyer = make_user("reviewer", password=PASSWORD)
        campaign = make_campaign(staff=staff)
        order, _ = orders.place_order(campaign.id, buyer, campaign.tiers[0].id, 1, "e2e-review")
        with transaction():
            db.session.execute(update(Order).where(Order.id == order.id).values(state="confirmed"))
        fulfilment.ship(order.id, staff, "SF", "SF000123")
        fulfilment.deliver(order.id, staff)
        return {"slug": campaign.product.slug}


@pytest.fixture
def site(sqlite_app, live_servers, tmp_path):
    return live_servers.start(sqlite_app.config["SQLALCHEMY_DATABASE_URI"], workers=2,
                              env={"FANFORGE_MEDIA_DIR": str(tmp_path / "media")})


def test_a_buyer_reviews_with_a_photo(site, signed_in, delivered, tmp_path):
    photo = tmp_path / "photo.jpg"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (220, 90, 40)).save(out, "JPEG")
    photo.write_bytes(out.getvalue())
    page = signed_in("reviewer", PASSWORD)
    page.goto(f"{site}/products/{delivered['slug']}")
    page.click("[data-testid=tab-comments]")  # reviews and questions are the Comments tab
    page.click("[data-testid=write-review]")
    page.check("input[name=rating][value='4']")
    page.fill("textarea[name=body]", "Sturdy and the colour is spot on")
    page.set_input_files("input[name=images]", str(photo))
    page.click("[data-testid=submit-review]")
    page.wait_for_url(f"**/products/{delivered['slug']}*")
    review = page.locator("[data-testid=review]")
    expect(review).to_contain_text("Sturdy and the colour is spot on")
    expect(review.locator("[data-testid=verified-buyer]")).to_be_visible()
    expect(review.locator("[data-testid=edit-review]")).to_be_visible()
    image = review.locator("[data-testid=media-gallery] img")
    expect(image).to_have_count(1)
    page.wait_for_function("() => document.querySelector('[data-testid=media-gallery] img').naturalWidth > 0")
    expect(page.locator("[data-testid=rating-average]")).to_have_text("4.0")
