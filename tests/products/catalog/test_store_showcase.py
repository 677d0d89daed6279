"""A store that shows itself: tier cards for every reader, locked tiers that say why and how
to unlock them before a submit, the first buyable tier preselected, product cards with a
cover, a from-price, progress and days left, cancelled products out of the default list,
and the product page's Story / Updates / Comments tabs. Pages are served through the page
cache (memory:// in tests), so one reader's standing must never reach another."""

from datetime import timedelta

import lxml.html
import pytest
from helpers import make_campaign, make_product, make_user

from community.accounts.models import User
from community.kernel.database import utcnow
from community.kernel.extensions import db
from products.catalog import stages
from products.notices import service as notices
from products.orders import service as orders

pytestmark = pytest.mark.one_database


@pytest.fixture
def shop(app):
    """A live campaign: "Founders" (early window for co-creators, 3 units, what it
    includes) then "Standard"; a co-creator, a fan who is not one, and staff."""
    with app.app_context():
        staff = make_user("boss", role="staff")
        cocreator, backer = make_user("cocreator"), make_user("backer")
        make_user("fan")
        product = make_product(staff=staff, slug="band-pro", cocreators=[cocreator, backer])
        early = utcnow() + timedelta(days=2)
        campaign = make_campaign(product=product, staff=staff, goal=10, cap=50, ends_in_hours=24 * 5 + 1, tiers=[
            {"name": "Founders", "price_cents": 19900, "currency": "CNY", "limit_units": 3,
             "early_until": early, "includes": "The band, two straps and a signed card"},
            {"name": "Standard", "price_cents": 22900, "currency": "CNY"}])
        return {"slug": product.slug, "name": product.name, "campaign": campaign.id,
                "tiers": [t.id for t in campaign.tiers], "backer": backer.id}


def _by(node, testid):
    return node.xpath(f'.//*[@data-testid="{testid}"]')


def _tiers(html):
    """{tier name: (its card element, its radio or None)} of a page's campaign widget."""
    doc = lxml.html.fromstring(html)
    out = {}
    for card in _by(_by(doc, "campaign-widget")[0], "tier"):
        radios = card.xpath('.//input[@type="radio"]')
        out[card.xpath('.//*[@class="tier-name"]')[0].text_content().strip()] = (card, radios[0] if radios else None)
    return out


def _text(element):
    return " ".join(element.text_content().split())


def test_a_visitor_sees_the_tiers_their_prices_and_terms(client, shop):
    page = client.get(f"/products/{shop['slug']}").get_data(as_text=True)
    tiers = _tiers(page)
    assert list(tiers) == ["Founders", "Standard"]
    founders, standard = _text(tiers["Founders"][0]), _text(tiers["Standard"][0])
    assert "199.00" in founders and "229.00" in standard
    assert "The band, two straps and a signed card" in founders
    assert "3 left" in founders
    assert "for co-creators and F-code holders until" in founders
    assert "anyone can buy it" in founders  # early-access terms: when it opens to all
    assert tiers["Standard"][1] is None  # no form to a visitor: a sign-in button instead
    assert "Sign in to pre-order" in page and 'data-testid="preorder-form"' not in page


def test_a_locked_tier_explains_itself_and_the_first_buyable_is_preselected(client, auth, shop):
    auth.login("fan")
    tiers = _tiers(client.get(f"/products/{shop['slug']}").get_data(as_text=True))
    card, radio = tiers["Founders"]
    assert radio.get("disabled") is not None and radio.get("checked") is None
    assert card.get("data-lock") == "early"
    explained = _text(card)
    assert "Locked: for co-creators and F-code holders until" in explained
    assert "join as a co-creator" in explained and "F-code" in explained
    assert card.xpath(".//a")[0].get("href") == f"/products/{shop['slug']}#join"
    standard = tiers["Standard"][1]
    assert standard.get("checked") is not None and standard.get("disabled") is None


def test_a_cocreator_can_buy_the_early_tier_and_the_shared_page_keeps_readers_apart(client, auth, shop):
    auth.login("cocreator")
    tiers = _tiers(client.get(f"/products/{shop['slug']}").get_data(as_text=True))
    assert tiers["Founders"][1].get("checked") is not None
    assert tiers["Founders"][1].get("disabled") is None and tiers["Founders"][0].get("data-lock") == ""
    auth.logout()
    auth.login("fan")  # the same stored page, a reader with other facts
    tiers = _tiers(client.get(f"/products/{shop['slug']}").get_data(as_text=True))
    assert tiers["Founders"][1].get("disabled") is not None
    assert tiers["Standard"][1].get("checked") is not None
    auth.logout()
    tiers = _tiers(client.get(f"/products/{shop['slug']}").get_data(as_text=True))
    assert tiers["Founders"][0].get("data-lock") == "early" and tiers["Standard"][1] is None


def test_a_sold_out_tier_is_locked_before_the_fan_submits(app, client, auth, shop):
    with app.app_context():
        backer = db.session.get(User, shop["backer"])
        orders.place_order(shop["campaign"], backer, shop["tiers"][0], 3, "sold-out")
    auth.login("cocreator")
    tiers = _tiers(client.get(f"/products/{shop['slug']}").get_data(as_text=True))
    card, radio = tiers["Founders"]
    assert card.get("data-lock") == "sold_out" and "sold out" in _text(card)
    assert radio.get("disabled") is not None
    assert tiers["Standard"][1].get("checked") is not None


def test_no_buyable_tier_means_no_submit(app, client, auth):
    with app.app_context():
        make_user("fan")
        product = make_product(slug="founders-only")
        make_campaign(product=product, tiers=[
            {"name": "Founders", "price_cents": 9900, "currency": "CNY",
             "early_until": utcnow() + timedelta(hours=12)}])
    auth.login("fan")
    page = client.get("/products/founders-only").get_data(as_text=True)
    doc = lxml.html.fromstring(page)
    assert _by(doc, "preorder-submit")[0].get("disabled") is not None
    assert 'data-testid="no-tier-open"' in page


def test_cancelled_products_leave_the_default_list(app, client, shop):
    with app.app_context():
        staff = make_user(role="staff")
        gone = make_product(staff=staff, slug="gone-watch")
        stages.set_stage(gone, staff, "cancelled")
        gone_name = gone.name
    listing = client.get("/products").get_data(as_text=True)
    assert shop["name"] in listing and gone_name not in listing
    assert 'data-testid="stage-cancelled"' not in listing
    assert gone_name in client.get("/products?stage=cancelled").get_data(as_text=True)
    assert client.get("/products/gone-watch").status_code == 200


def test_product_cards_show_a_cover_a_from_price_progress_and_days_left(app, client, shop):
    with app.app_context():
        fan = make_user("early-bird")
        orders.place_order(shop["campaign"], fan, shop["tiers"][1], 2, "two")
    doc = lxml.html.fromstring(client.get("/products").get_data(as_text=True))
    card = next(c for c in _by(doc, "product-card") if shop["name"] in _text(c))
    assert _by(card, "cover-placeholder")  # no image: a tidy placeholder
    price = _text(_by(card, "from-price")[0])
    assert price.startswith("from") and "199.00" in price  # the cheapest tier
    progress = card.xpath(".//progress")[0]
    assert progress.get("value") == "20" and progress.get("aria-label")
    assert _text(_by(card, "card-progress-text")[0]) == "2 of 10 units (20%)"
    assert _text(_by(card, "days-left")[0]) == "6 days left"


def test_story_updates_and_comments_tabs(app, client, shop):
    with app.app_context():
        staff = make_user("writer", role="staff")
        notices.post_update(shop["campaign"], staff, "Tooling has started", "The molds are cut.")
    url = f"/products/{shop['slug']}"

    def shown(query=""):
        doc = lxml.html.fromstring(client.get(url + query).get_data(as_text=True))
        selected = [a.get("data-testid") for a in doc.xpath('//*[@role="tab"][@aria-selected="true"]')]
        panels = {p.get("id"): p.get("hidden") is None for p in doc.xpath('//*[@role="tabpanel"]')}
        return doc, selected, panels

    doc, selected, panels = shown()
    assert selected == ["tab-story"]
    assert panels == {"panel-story": True, "panel-updates": False, "panel-comments": False}
    assert [a.get("href") for a in doc.xpath('//*[@role="tab"]')] == [
        f"{url}#tabs", f"{url}?tab=updates#tabs", f"{url}?tab=comments#tabs"]
    assert _by(doc.get_element_by_id("panel-story"), "origin-ideas")

    doc, selected, panels = shown("?tab=updates")
    assert selected == ["tab-updates"] and panels["panel-updates"] and not panels["panel-story"]
    assert "Tooling has started" in _text(doc.get_element_by_id("panel-updates"))

    doc, selected, panels = shown("?tab=comments")
    assert selected == ["tab-comments"] and panels["panel-comments"]
    assert _by(doc.get_element_by_id("panel-comments"), "reviews")
    assert _by(doc.get_element_by_id("panel-comments"), "questions")

    assert shown("?tab=nonsense")[1] == ["tab-story"]
