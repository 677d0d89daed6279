"""Options and variants through the pages and the API: staff pages (fans 403), the product
page's options and poll credit, the widget's variant pick, CSV and the JSON API."""

import csv
import io
from datetime import timedelta

import pytest
from helpers import make_campaign, make_user
from sqlalchemy import select, update

from community.accounts import tokens
from community.accounts.models import User
from community.kernel.database import utcnow
from community.kernel.extensions import db
from products.catalog import catalog, polls
from products.catalog.models import Poll
from products.catalog.options import ProductOption, Variant
from products.orders.models import Order

pytestmark = pytest.mark.one_database


@pytest.fixture
def shop(app):
    with app.app_context():
        staff = make_user("boss", role="staff")
        buyer = make_user("buyer")
        campaign = make_campaign(staff=staff, cap=20, per_buyer=5,
                                 tiers=[{"name": "Standard", "price_cents": 10000,
                                         "currency": "CNY"}])
        product = campaign.product
        return {"slug": product.slug, "product": product.id, "campaign": campaign.id,
                "tier": campaign.tiers[0].id, "thread": product.thread_id,
                "buyer_token": tokens.create_token(buyer, "t")[1]}


def _base(shop, path=""):
    return f"/staff/products/{shop['slug']}{path}"


def _options(app, shop):
    with app.app_context():
        return {o.name: o.id for o in db.session.scalars(
            select(ProductOption).where(ProductOption.product_id == shop["product"]))}


def _variants(app, shop):
    with app.app_context():
        return {v.label: v.id for v in db.session.scalars(
            select(Variant).where(Variant.product_id == shop["product"]))}


def _set_up_by_staff(app, client, auth, shop):
    auth.login("boss")
    client.post(_base(shop, "/options"), data={"name": "Colour", "kind": "choice"})
    client.post(_base(shop, "/options"), data={"name": "Engraving", "kind": "text",
                                                 "max_length": "8", "required": "1"})
    colour = _options(app, shop)["Colour"]
    for label in ("Red", "Blue"):
        client.post(_base(shop, f"/options/{colour}/values"), data={"label": label})
    client.post(_base(shop, "/variants/generate"))
    found = _variants(app, shop)
    client.post(_base(shop, f"/variants/{found['Red']}"),
                data={"sku": "RED", "label": "Red", "price_delta_cents": "-1500",
                      "cap_units": "1", "active": "1"})
    auth.logout()
    return found


def test_staff_pages_build_options_and_variants(app, client, auth, shop):
    found = _set_up_by_staff(app, client, auth, shop)
    assert set(found) == {"Red", "Blue"}
    with app.app_context():
        red = db.session.get(Variant, found["Red"])
        assert (red.sku, red.price_delta_cents, red.cap_units, red.active) == ("RED", -1500, 1, True)
    auth.login("boss")
    page = client.get(_base(shop, "/variants")).get_data(as_text=True)
    assert page.count('data-testid="variant"') == 2 and page.count('data-testid="option"') == 2
    bad = client.post(_base(shop, f"/variants/{found['Blue']}"),
                      data={"sku": "B", "label": "Blue", "price_delta_cents": "ten"},
                      follow_redirects=True)
    assert "whole number of cents" in bad.get_data(as_text=True)
    assert client.get(_base(shop)).get_data(as_text=True).count('data-testid="variants-link"') == 1


@pytest.mark.parametrize("path", ["/variants", "/options", "/variants/generate",
                                  "/options/1/values", "/values/1", "/polls/1/seed",
                                  "/variants/1", "/options/1", "/options/1/delete",
                                  "/values/1/delete"])
def test_fans_are_refused(app, client, auth, shop, path):
    auth.login("buyer")
    method = client.get if path == "/variants" else client.post
    assert method(_base(shop, path), data={"name": "x"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(ProductOption.id)) is None


def test_buyer_picks_a_variant_in_the_widget(app, client, auth, shop):
    found = _set_up_by_staff(app, client, auth, shop)
    engraving = _options(app, shop)["Engraving"]
    auth.login("buyer")
    page = client.get(f"/products/{shop['slug']}").get_data(as_text=True)
    assert 'data-testid="preorder-variant"' in page and f'name="personalisation_{engraving}"' in page
    assert "1 left" in page and "Blue" in page
    data = {"tier": shop["tier"], "quantity": 1, "idempotency_key": "k1", "variant": found["Red"],
            f"personalisation_{engraving}": "Ada\u202e"}
    response = client.post(f"/campaigns/{shop['campaign']}/preorder", data=data)
    assert response.status_code == 302 and "/preorders/" in response.headers["Location"]
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert (order.variant_label, order.unit_price_cents) == ("Red", 8500)
        assert order.personalisation == '{"Engraving": "Ada"}'
    mine = client.get("/me/preorders").get_data(as_text=True)
    assert 'data-testid="order-variant">Red<' in mine and "Engraving: “Ada”" in mine
    page = client.get(f"/products/{shop['slug']}").get_data(as_text=True)
    assert "sold out" in page  # Red's one unit is gone
    # Without a variant: refused with a message, nothing written.
    data.update(idempotency_key="k2", variant="")
    flashed = client.post(f"/campaigns/{shop['campaign']}/preorder", data=data,
                          follow_redirects=True).get_data(as_text=True)
    assert "Pick one of the product" in flashed
    with app.app_context():
        assert len(db.session.scalars(select(Order)).all()) == 1
    auth.logout()
    auth.login("boss")
    export = client.get(f"/staff/campaigns/{shop['campaign']}/orders.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(export)))
    assert rows[0]["variant"] == "Red" and rows[0]["personalisation"] == '{"Engraving": "Ada"}'


def test_poll_seeds_values_and_the_product_page_credits_it(app, client, auth, shop):
    with app.app_context():
        staff = db.session.scalar(select(User).where(User.username == "boss"))
        product = catalog.get_product(shop["slug"])
        poll = polls.create_poll(product, staff, "Strap colour?", ["Moss", "Slate"],
                                 utcnow() + timedelta(days=1))
        db.session.execute(update(Poll).where(Poll.id == poll.id).values(
            ends_at=utcnow() - timedelta(hours=1), vote_count=1284))
        db.session.commit()
        poll_id = poll.id
    before = client.get(f"/products/{shop['slug']}").get_data(as_text=True)
    assert 'data-testid="poll-credit"' not in before
    auth.login("boss")
    response = client.post(_base(shop, f"/polls/{poll_id}/seed"))
    assert response.status_code == 302
    auth.logout()
    page = client.get(f"/products/{shop['slug']}").get_data(as_text=True)
    assert "Chosen by 1,284 co-creators" in page and f'href="#poll-{poll_id}"' in page
    assert "Moss · Slate" in page
    api = client.get(f"/api/v1/products/{shop['slug']}/options").get_json()
    option = api["options"][0]
    assert option["poll"] == {"id": poll_id, "question": "Strap colour?", "voters": 1284}
    assert [v["label"] for v in option["values"]] == ["Moss", "Slate"]


def test_options_api_and_preorder_api(app, client, auth, shop):
    found = _set_up_by_staff(app, client, auth, shop)
    api = client.get(f"/api/v1/products/{shop['slug']}/options").get_json()
    by_label = {v["label"]: v for v in api["variants"]}
    assert by_label["Red"]["units_left"] == 1 and by_label["Blue"]["units_left"] is None
    assert by_label["Red"]["prices"] == [{"tier": shop["tier"], "unit_price_cents": 8500,
                                          "currency": "CNY"}]
    assert {o["name"]: o["kind"] for o in api["options"]} == {"Colour": "choice",
                                                              "Engraving": "text"}
    assert client.get("/api/v1/products/nope/options").status_code == 404
    headers = {"Authorization": f"Bearer {shop['buyer_token']}", "Idempotency-Key": "a1"}
    url = f"/api/v1/campaigns/{shop['campaign']}/preorders"
    refused = client.post(url, headers=headers, json={"tier": shop["tier"], "quantity": 1})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "bad_variant"
    too_long = client.post(url, headers=dict(headers, **{"Idempotency-Key": "a2"}),
                           json={"tier": shop["tier"], "quantity": 1, "variant": found["Blue"],
                                 "personalisation": {"Engraving": "123456789"}})
    assert too_long.status_code == 422
    placed = client.post(url, headers=dict(headers, **{"Idempotency-Key": "a3"}),
                         json={"tier": shop["tier"], "quantity": 2, "variant": found["Blue"],
                               "personalisation": {"Engraving": "Hi"}})
    assert placed.status_code == 201
    body = placed.get_json()
    assert body["variant"] == {"id": found["Blue"], "label": "Blue"}
    assert body["personalisation"] == {"Engraving": "Hi"} and body["unit_price_cents"] == 10000
    sold_out = client.post(url, headers=dict(headers, **{"Idempotency-Key": "a4"}),
                           json={"tier": shop["tier"], "quantity": 2, "variant": found["Red"],
                                 "personalisation": {"Engraving": "Hi"}})
    assert sold_out.status_code == 409 and sold_out.get_json()["error"]["code"] == "sold_out"
