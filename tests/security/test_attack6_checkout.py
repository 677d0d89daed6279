"""Attack 6: the one-call checkout (POST /api/v1/campaigns/<id>/preorders with address_id)
given addresses that are not the buyer's, or not addresses at all."""

import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parents[1] / "products" / "payments"))

from helpers import make_user  # noqa: E402
from paying import address_for, charging_campaign  # noqa: E402

from community.accounts import tokens  # noqa: E402
from community.kernel.extensions import db  # noqa: E402
from products.orders.models import Order  # noqa: E402


@pytest.fixture
def shop(app):
    with app.app_context():
        campaign = charging_campaign("full")
        buyer, other = make_user("a6buyer"), make_user("a6other")
        data = {"campaign": campaign.id, "tier": campaign.tiers[0].id,
                "mine": address_for(buyer).id, "theirs": address_for(other).id,
                "buyer": tokens.create_token(buyer, "t")[1]}
    client = app.test_client()

    def place(address, key):
        return client.post(f"/api/v1/campaigns/{data['campaign']}/preorders",
                           headers={"Authorization": f"Bearer {data['buyer']}",
                                    "Idempotency-Key": key},
                           json={"tier": data["tier"], "quantity": 1, "address_id": address})

    data["place"] = place
    return data


def _orders(app):
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Order))
        db.session.remove()
        return count


def test_another_buyers_address_places_nothing(app, shop):
    assert shop["place"](shop["theirs"], "k1").status_code == 404
    assert _orders(app) == 0


def test_a_repeated_key_cannot_move_the_order_to_another_buyers_address(app, shop):
    first = shop["place"](shop["mine"], "k2")
    assert first.status_code == 201
    again = shop["place"](shop["theirs"], "k2")
    assert again.status_code == 404
    with app.app_context():
        assert db.session.get(Order, first.get_json()["id"]).ship_postal_code == "100084"
        db.session.remove()


def test_an_address_id_that_is_no_address_is_refused_not_a_500(app, shop):
    for address in (2 ** 70, -(2 ** 70), True, "1", 1.0, [1], {"id": 1}):  # one shop for all
        answer = shop["place"](address, f"k-{address!r}"[:60])
        assert 400 <= answer.status_code < 500, (address, answer.get_data(as_text=True)[:300])
        assert _orders(app) == 0, address
