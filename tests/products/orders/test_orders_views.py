from datetime import timedelta

import pytest
from helpers import make_campaign, make_user
from sqlalchemy import select

from community.ideas import service as ideas
from community.kernel.database import utcnow
from community.kernel.extensions import db
from products.catalog.models import ProductIdea
from products.orders import referrals
from products.orders.models import Order

pytestmark = pytest.mark.one_database


@pytest.fixture
def shop(app):
    with app.app_context():
        make_user("buyer")
        friend = make_user("friend")
        campaign = make_campaign(cap=5, per_buyer=3)
        return {"campaign": campaign.id, "tier": campaign.tiers[0].id, "thread": campaign.product.thread_id,
                "product": campaign.product_id, "ref": referrals.code_for(friend.id),
                "friend": friend.id}


def _order(client, shop, **extra):
    data = {"tier": shop["tier"], "quantity": 1, "idempotency_key": "k1", "source_kind": "thread",
            "source_id": shop["thread"]}
    data.update(extra)
    return client.post(f"/campaigns/{shop['campaign']}/preorder", data=data)


def test_preorder_from_the_thread_then_cancel(app, client, auth, shop):
    auth.login("buyer")
    page = client.get(f"/t/{shop['thread']}").get_data(as_text=True)
    assert 'data-testid="campaign-widget"' in page and 'data-testid="preorder-form"' in page
    response = _order(client, shop, quantity=2)
    assert response.status_code == 302 and "/preorders/" in response.headers["Location"]
    _order(client, shop, quantity=2)  # the same form sent twice
    mine = client.get("/me/preorders").get_data(as_text=True)
    assert mine.count('data-testid="order-state"') == 1 and "× 2" in mine
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert (order.source_kind, order.source_id, order.quantity) == ("thread", shop["thread"], 2)
    client.post(f"/preorders/{order.id}/cancel")
    with app.app_context():
        assert db.session.get(Order, order.id).state == "cancelled"


def test_referral_cookie_is_remembered_and_recorded(app, client, auth, shop):
    auth.login("buyer")
    client.get(f"/t/{shop['thread']}?ref={shop['ref']}")
    cookie = client.get_cookie(referrals.COOKIE)
    assert cookie is not None and cookie.max_age == 30 * 86400
    _order(client, shop)
    with app.app_context():
        assert db.session.scalar(select(Order)).referrer_id == shop["friend"]


def test_errors_are_flashed_and_nothing_is_written(app, client, auth, shop):
    auth.login("buyer")
    page = client.get(_order(client, shop, quantity=9).headers["Location"]).get_data(as_text=True)
    assert "at most 3 units" in page
    response = _order(client, shop, tier="abc")
    assert "Pick a tier" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Order)) is None


def test_someone_elses_order_is_404(app, client, auth, shop):
    auth.login("buyer")
    _order(client, shop)
    with app.app_context():
        order_id = db.session.scalar(select(Order.id))
    auth.logout()
    auth.login("friend")
    assert client.post(f"/preorders/{order_id}/cancel").status_code == 404


def test_widget_on_origin_ideas(app, client, auth, shop):
    with app.app_context():
        idea = ideas.propose(make_board_for(shop), make_user(), "Origin of the product", "b")
        db.session.add(ProductIdea(product_id=shop["product"], idea_id=idea.id))
        db.session.commit()
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'data-testid="campaign-widget"' in page and "Sign in to pre-order" in page


def make_board_for(shop):
    from products.catalog.models import Product

    return db.session.get(Product, shop["product"]).board


def test_staff_csv_export_streams_orders(app, client, auth, shop):
    auth.login("buyer")
    _order(client, shop, quantity=2)
    auth.logout()
    with app.app_context():
        make_user("boss", role="staff")
    assert client.get(f"/staff/campaigns/{shop['campaign']}/orders.csv").status_code == 302
    auth.login("boss")
    response = client.get(f"/staff/campaigns/{shop['campaign']}/orders.csv")
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("order_id,") and len(lines) == 2 and ",buyer," in lines[1]


def test_staff_draft_and_publish_a_campaign_through_forms(app, client, auth, shop):
    from helpers import make_product

    with app.app_context():
        make_user("boss", role="staff")
        product = make_product(slug="new-band")
    auth.login("boss")
    start = (utcnow() + timedelta(hours=8, minutes=-60)).strftime("%Y-%m-%dT%H:%M")
    end = (utcnow() + timedelta(days=8)).strftime("%Y-%m-%dT%H:%M")
    data = {"goal_units": 10, "cap_units": 20, "per_buyer_limit": 2, "starts_at": start,
            "ends_at": end, "tiers-0-name": "Standard", "tiers-0-price": "199.00",
            "tiers-0-currency": "cny"}
    bad = client.post(f"/staff/products/{product.slug}/campaigns/new", data={**data, "tiers-0-price": "1.999"})
    assert bad.status_code == 422 and "199.00" in bad.get_data(as_text=True)
    response = client.post(f"/staff/products/{product.slug}/campaigns/new", data=data)
    assert response.status_code == 302
    url = response.headers["Location"]
    client.post(url + "/publish")
    page = client.get(url).get_data(as_text=True)
    assert "¥199.00" in page or "CN¥199.00" in page
    assert 'data-testid="campaign-state">Live' in page or 'data-testid="campaign-state">Scheduled' in page


def test_product_page_shows_the_widget_and_publishing_opens_preorders(app, client, shop):
    from products.catalog.models import Product

    with app.app_context():
        product = db.session.get(Product, shop["product"])
        assert product.stage == "preorder"  # publishing moved it on
        slug = product.slug
    page = client.get(f"/products/{slug}").get_data(as_text=True)
    assert 'data-testid="campaign-widget"' in page and "units to goal" in page


def test_top_referrers_on_the_product_and_backers_on_the_profile(app, client, auth, shop):
    from products.catalog.models import Product

    auth.login("buyer")
    client.get(f"/t/{shop['thread']}?ref={shop['ref']}")
    _order(client, shop)
    with app.app_context():
        slug = db.session.get(Product, shop["product"]).slug
    page = client.get(f"/products/{slug}").get_data(as_text=True)
    assert 'data-testid="top-referrers"' in page and "friend" in page.split('data-testid="top-referrers"')[1]
    profile = client.get("/u/friend").get_data(as_text=True)
    assert "Brought 1 backer to the store." in profile


def test_idea_pages_offer_a_share_link_with_the_viewers_code(app, client, auth, shop):
    with app.app_context():
        idea = ideas.propose(make_board_for(shop), make_user(), "Share me around", "b")
    assert 'data-testid="idea-share"' not in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    auth.login("friend")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f"ref={shop['ref']}" in page.split('data-testid="idea-share"')[1]
