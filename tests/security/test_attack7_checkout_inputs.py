"""Attack 7: the one-call checkout, its writes now run on the driver: odd quantities,
tiers and keys are a clear 4xx, never a 500, and leave no half-written rows."""

import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parents[1] / "products" / "payments"))

from helpers import make_user  # noqa: E402
from paying import address_for, charging_campaign  # noqa: E402

from community.accounts import tokens  # noqa: E402
from community.kernel.extensions import db  # noqa: E402
from products.campaigns.models import Campaign  # noqa: E402
from products.orders.models import Order  # noqa: E402
from products.payments.models import Payment  # noqa: E402


@pytest.fixture
def shop(app):
    with app.app_context():
        campaign = charging_campaign("full")
        buyer = make_user("a7qbuyer")
        data = {"campaign": campaign.id, "tier": campaign.tiers[0].id,
                "address": address_for(buyer).id, "buyer": tokens.create_token(buyer, "t")[1]}
    client = app.test_client()

    def place(key="k", **body):
        body = {"tier": data["tier"], "quantity": 1, "address_id": data["address"], **body}
        headers = {"Authorization": f"Bearer {data['buyer']}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return client.post(f"/api/v1/campaigns/{data['campaign']}/preorders",
                           headers=headers, json=body)

    data["place"] = place
    return data


def _counts(app, campaign_id):
    with app.app_context():
        orders = db.session.scalar(select(func.count()).select_from(Order))
        payments = db.session.scalar(select(func.count()).select_from(Payment))
        reserved = db.session.get(Campaign, campaign_id).reserved_units
        db.session.remove()
        return orders, payments, reserved


ODD = [2 ** 63, 2 ** 31, -(2 ** 63) - 1, -1, 0, True, "1", 1.5, None, [1], {"n": 1}, "１"]


# Each odd value in turn on one shop (a shop per value cost ~0.3 s, 48 cases): a refused
# checkout writes nothing, so the counts stay at zero after every one.
@pytest.mark.parametrize("field", ["quantity", "tier"])
def test_an_odd_quantity_or_tier_is_refused_not_a_500(app, shop, field):
    failures = []
    for value in ODD:
        answer = shop["place"](f"{field[0]}-{value!r}"[:60], **{field: value})
        if not 400 <= answer.status_code < 500:
            failures.append(f"{field}={value!r}: {answer.get_data(as_text=True)[:300]}")
        elif _counts(app, shop["campaign"]) != (0, 0, 0):
            failures.append(f"{field}={value!r} wrote rows")
    assert failures == []


@pytest.mark.parametrize("key", ["", " ", "x" * 10_000, "键" * 300, "a\x00b"])
def test_an_odd_idempotency_key_is_refused_or_placed_once(app, shop, key):
    first = shop["place"](key)
    assert first.status_code < 500, first.get_data(as_text=True)[:300]
    again = shop["place"](key)
    assert again.status_code < 500, again.get_data(as_text=True)[:300]
    orders, payments, reserved = _counts(app, shop["campaign"])
    assert orders == reserved == (1 if first.status_code == 201 else 0)


def test_a_replayed_key_with_another_quantity_places_nothing_new(app, shop):
    assert shop["place"]("same").status_code == 201
    again = shop["place"]("same", quantity=3)
    assert again.status_code in (200, 201, 409, 422), again.get_data(as_text=True)[:300]
    assert _counts(app, shop["campaign"])[0::2] == (1, 1)


def test_more_than_the_buyers_limit_is_a_409_and_no_rows(app, shop):
    answer = shop["place"]("over", quantity=6)
    assert answer.status_code in (409, 422), answer.get_data(as_text=True)[:300]
    assert _counts(app, shop["campaign"]) == (0, 0, 0)


@pytest.mark.parametrize("key", ["a\x00b", "a\tb", "a\u202eb"])
def test_a_key_with_a_control_character_is_a_422_on_both_databases(app, shop, key):
    """Was a 500 on PostgreSQL (it refuses a NUL in text): the key went to the database
    as sent, the body's strings are cleaned but a header is not."""
    answer = shop["place"](key)
    assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert answer.get_json()["error"]["code"] == "bad_idempotency_key"
    assert _counts(app, shop["campaign"]) == (0, 0, 0)


@pytest.mark.parametrize(("field", "value"), [
    ("variant", 2 ** 70), ("variant", -1), ("variant", "1"), ("variant", True),
    ("personalisation", {"x" * 500: "y"}), ("personalisation", {"1": "a\x00b"}),
    ("personalisation", ["a"]), ("f_code", "a\x00b" * 20), ("f_code", 12),
    ("ref", "\x00" * 70), ("ref", 2 ** 70), ("source", {"kind": "circle", "id": 2 ** 70}),
    ("source", {"kind": "conversation", "id": -1}), ("source", {"kind": "api", "id": None}),
])
def test_odd_checkout_details_are_refused_or_ignored_not_a_500(app, shop, field, value):
    answer = shop["place"](f"d-{field}-{value!r}"[:60], **{field: value})
    assert answer.status_code < 500, answer.get_data(as_text=True)[:300]
    orders, payments, reserved = _counts(app, shop["campaign"])
    assert orders == payments == reserved == (1 if answer.status_code == 201 else 0)


def test_a_key_replayed_after_its_order_was_cancelled_reserves_and_charges_nothing(app, shop):
    placed = shop["place"]("gone", quantity=2)
    assert placed.status_code == 201
    order_id = placed.get_json()["id"]
    with app.test_client() as client:
        cancelled = client.post(f"/api/v1/preorders/{order_id}/cancel",
                                headers={"Authorization": f"Bearer {shop['buyer']}"})
    assert cancelled.status_code == 200, cancelled.get_data(as_text=True)[:300]
    again = shop["place"]("gone", quantity=2)
    assert again.status_code in (200, 409), again.get_data(as_text=True)[:300]
    if again.status_code == 200:
        assert again.get_json()["id"] == order_id and again.get_json()["started_payment"] is None
    assert _counts(app, shop["campaign"]) == (1, 1, 0)
