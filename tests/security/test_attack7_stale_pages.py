"""Attack 7: a checkout's writes run on the driver (compiled.write_rows) and writes to
tables visitors may not see move no page key. Every stored page that shows what a
checkout, a cancel or a payment changes (units reserved, units left, backers) must show
the new figures on the next request, for visitors and for signed-in fans."""

import re
import sys
from datetime import timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "products" / "payments"))

from helpers import make_user  # noqa: E402
from paying import address_for, charging_campaign  # noqa: E402

from community.accounts import tokens  # noqa: E402
from community.kernel.database import utcnow  # noqa: E402
from community.kernel.extensions import db  # noqa: E402
from products.orders.models import Order  # noqa: E402
from products.payments import reservations  # noqa: E402

BACKERS = re.compile(r"<strong>(\d+)</strong>\s*\S*\s*backers")
RESERVED = re.compile(r'data-testid="units-reserved">(\d+)<')


@pytest.fixture
def shop(app):
    with app.app_context():
        campaign = charging_campaign("full")
        buyer = make_user("a7buyer")
        make_user("a7fan")
        data = {"campaign": campaign.id, "tier": campaign.tiers[0].id,
                "slug": campaign.product.slug, "address": address_for(buyer).id,
                "buyer": tokens.create_token(buyer, "t")[1]}
    api = app.test_client()

    def call(method, path, json=None, key=None):
        headers = {"Authorization": f"Bearer {data['buyer']}"}
        if key:
            headers["Idempotency-Key"] = key
        return api.open(path, method=method, headers=headers, json=json)

    data["call"] = call
    return data


def _figures(client, path):
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return RESERVED.search(html).group(1), page.headers.get("X-Page-Cache")


@pytest.fixture(params=["visitor", "fan"])
def reader(request, app, auth, client):
    client.fan = request.param == "fan"
    if client.fan:
        auth.login("a7fan")
    return client


@pytest.mark.parametrize("where", ["campaign", "product"])
def test_a_driven_checkout_and_a_cancel_move_the_stored_figures(app, shop, reader, where):
    path = (f"/campaigns/{shop['campaign']}" if where == "campaign"
            else f"/products/{shop['slug']}")
    assert _figures(reader, path)[0] == "0"
    stored = _figures(reader, path)
    assert stored[0] == "0"
    if not (where == "campaign" and reader.fan):  # the campaign page is kept for visitors only
        assert stored[1] == "hit"  # stored: a later page must not be this one
    placed = shop["call"]("POST", f"/api/v1/campaigns/{shop['campaign']}/preorders",
                          {"tier": shop["tier"], "quantity": 2, "address_id": shop["address"]},
                          "a7-1")
    assert placed.status_code == 201, placed.get_data(as_text=True)
    assert _figures(reader, path)[0] == "2"
    cancelled = shop["call"]("POST", f"/api/v1/preorders/{placed.get_json()['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.get_data(as_text=True)
    assert _figures(reader, path)[0] == "0"


def test_the_checkouts_notice_lights_the_buyers_bell_on_a_stored_page(app, shop, auth, client):
    auth.login("a7buyer")
    path = f"/products/{shop['slug']}"
    assert 'data-testid="bell-count"' not in client.get(path).get_data(as_text=True)
    assert client.get(path).headers.get("X-Page-Cache") == "hit"
    placed = shop["call"]("POST", f"/api/v1/campaigns/{shop['campaign']}/preorders",
                          {"tier": shop["tier"], "quantity": 1, "address_id": shop["address"]},
                          "a7-bell")
    assert placed.status_code == 201
    html = client.get(path).get_data(as_text=True)
    assert re.search(r'data-testid="bell-count">1<', html), "the bell stayed dark"


def test_an_unpaid_hold_running_out_frees_the_stored_units(app, shop, client):
    """The checkout's payment is opened on the driver and the gateway's reply touches only
    private tables; the hold's expiry (a job, no request) must still move the page."""
    path = f"/products/{shop['slug']}"
    placed = shop["call"]("POST", f"/api/v1/campaigns/{shop['campaign']}/preorders",
                          {"tier": shop["tier"], "quantity": 3, "address_id": shop["address"]},
                          "a7-expiry")
    assert placed.status_code == 201
    assert _figures(client, path)[0] == "3"
    assert _figures(client, path) == ("3", "hit")
    with app.app_context():
        db.session.get(Order, placed.get_json()["id"]).pay_by = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert reservations.expire_unpaid() == 1
        db.session.remove()
    assert _figures(client, path)[0] == "0"
