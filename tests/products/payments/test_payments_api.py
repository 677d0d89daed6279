"""The payment side of the JSON API: an order's payment object and timeline, starting a
payment, and staff refunds, each checked against the OpenAPI document."""

from urllib.parse import urlsplit

import pytest
from apicheck import assert_conforms
from helpers import make_user
from paying import address_for, charging_campaign, order, payments_of, run_actions
from querycount import counting
from sqlalchemy import func, select

from community.accounts import tokens
from community.kernel.extensions import db
from products.addresses import service as addresses
from products.campaigns.models import Campaign
from products.orders.models import Order
from products.payments.models import Payment
from products.payments.providers.base import ProviderError
from products.payments.providers.dummy import DummyCharge, DummyProvider


@pytest.fixture
def api(app):
    with app.app_context():
        campaign = charging_campaign("full")
        buyer, staff = make_user("apibuyer"), make_user("apistaff", role="staff")
        data = {"campaign": campaign.id, "tier": campaign.tiers[0].id,
                "address": address_for(buyer).id,
                "buyer": tokens.create_token(buyer, "t")[1], "staff": tokens.create_token(staff, "t")[1],
                "other": tokens.create_token(make_user(), "t")[1]}
    client = app.test_client()

    def call(method, path, token, json=None, key=None):
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        return client.open(path, method=method, headers=headers, json=json)

    data["call"], data["client"] = call, client
    return data


def test_an_order_is_placed_paid_and_refunded_over_the_api(app, api):
    call = api["call"]
    placed = assert_conforms(app, call("POST", f"/api/v1/campaigns/{api['campaign']}/preorders",
                                       api["buyer"], {"tier": api["tier"], "quantity": 2}, "a1"),
                             "POST", "/api/v1/campaigns/{campaign_id}/preorders")
    payment = placed["payment"]
    assert (payment["status"], payment["amount_due"], payment["currency"]) == ("awaiting", 39800, "CNY")
    assert payment["checkout_url"] == f"http://fanforge.test/preorders/{placed['id']}"
    assert payment["pay_by"].endswith("Z")

    missing = call("POST", f"/api/v1/preorders/{placed['id']}/pay", api["buyer"], {})
    assert missing.status_code == 422 and missing.get_json()["error"]["code"] == "address_required"
    assert call("POST", f"/api/v1/preorders/{placed['id']}/pay", api["other"],
                {"address_id": api["address"]}).status_code == 404
    started = assert_conforms(app, call("POST", f"/api/v1/preorders/{placed['id']}/pay", api["buyer"],
                                        {"address_id": api["address"]}),
                              "POST", "/api/v1/preorders/{order_id}/pay")
    assert started["amount_cents"] == 39800 and started["purpose"] == "full"
    again = call("POST", f"/api/v1/preorders/{placed['id']}/pay", api["buyer"], {}).get_json()
    assert again["id"] == started["id"]  # the open payment, not a second one

    gateway = urlsplit(started["checkout_url"]).path
    api["client"].post(gateway, data={"card_number": "4242 4242 4242 4242"})
    shown = assert_conforms(app, call("GET", f"/api/v1/preorders/{placed['id']}", api["buyer"]),
                            "GET", "/api/v1/preorders/{order_id}")
    assert shown["payment"]["status"] == "paid" and shown["payment"]["checkout_url"] is None
    assert shown["delivery"]["ship_to"]["postal_code"] == "100084"
    assert [step["kind"] for step in shown["timeline"]][:2] == ["placed", "captured"]
    assert call("POST", f"/api/v1/preorders/{placed['id']}/pay", api["buyer"], {}).status_code == 409

    body = {"amount_cents": 10000, "reason": "Late delivery", "request_key": "x1"}
    assert call("POST", f"/api/v1/preorders/{placed['id']}/refunds", api["buyer"], body).status_code == 403
    queued = call("POST", f"/api/v1/preorders/{placed['id']}/refunds", api["staff"], body)
    assert_conforms(app, queued, "POST", "/api/v1/preorders/{order_id}/refunds")
    too_much = call("POST", f"/api/v1/preorders/{placed['id']}/refunds", api["staff"],
                    {"amount_cents": 99999, "reason": "x"})
    assert too_much.status_code == 422 and too_much.get_json()["error"]["code"] == "refund_too_large"
    with app.app_context():
        assert run_actions() == 1
        assert order(placed["id"]).refunded_cents == 10000
        db.session.remove()


def _placed_with(api, key, token=None, campaign=None, tier=None, address=None, quantity=1):
    return api["call"]("POST", f"/api/v1/campaigns/{campaign or api['campaign']}/preorders",
                       token or api["buyer"], {"tier": tier or api["tier"], "quantity": quantity,
                                               "address_id": address or api["address"]}, key)


def test_one_call_places_the_order_and_starts_its_payment(app, api):
    answer = _placed_with(api, "c1", quantity=2)
    assert answer.status_code == 201
    placed = assert_conforms(app, answer, "POST", "/api/v1/campaigns/{campaign_id}/preorders")
    started = placed["started_payment"]
    assert (started["purpose"], started["amount_cents"], started["currency"]) == ("full", 39800, "CNY")
    assert urlsplit(started["checkout_url"]).path.startswith("/payments/dummy/checkout/pi_dummy_")
    assert placed["delivery"]["ship_to"]["postal_code"] == "100084"
    assert placed["payment"]["status"] == "awaiting"
    with app.app_context():
        [payment] = payments_of(placed["id"])
        assert (payment.id, payment.amount_cents) == (started["id"], 39800)
        assert payment.ref and payment.checkout_url and payment.status == "created"
        assert db.session.get(DummyCharge, payment.ref).amount_cents == 39800
        assert order(placed["id"]).ship_name == "王小明"
        db.session.remove()

    # The same key again: the same order and its open payment, nothing new at the gateway.
    again = _placed_with(api, "c1", quantity=2)
    assert again.status_code == 200
    repeated = assert_conforms(app, again, "POST", "/api/v1/campaigns/{campaign_id}/preorders")
    assert repeated["id"] == placed["id"] and repeated["started_payment"]["id"] == started["id"]
    paying_later = api["call"]("POST", f"/api/v1/preorders/{placed['id']}/pay", api["buyer"], {})
    assert paying_later.get_json()["id"] == started["id"]
    with app.app_context():
        assert len(payments_of(placed["id"])) == 1
        assert db.session.scalar(select(func.count()).select_from(DummyCharge)) == 1
        db.session.remove()

    # Paid on the gateway's page, as a buyer would: the same order, paid.
    api["client"].post(urlsplit(started["checkout_url"]).path,
                       data={"card_number": "4242 4242 4242 4242"})
    shown = api["call"]("GET", f"/api/v1/preorders/{placed['id']}", api["buyer"]).get_json()
    assert shown["payment"]["status"] == "paid"
    paid_again = _placed_with(api, "c1", quantity=2)
    assert paid_again.status_code == 200 and paid_again.get_json()["started_payment"] is None


def test_a_checkout_runs_a_fixed_handful_of_statements(app, api):
    """Before the write: the token, the address, the key. Then the campaign with its tier
    and product, the product's variants and options, the order, the buyer's, campaign's
    and tier's units, the notice (the product's name as loaded) and its mail, the payment;
    then the gateway's charge and the payment's reference: 14, none of them the page
    cache's (kernel/dependencies reads a write's rows from its own RETURNING)."""
    assert _placed_with(api, "warm").status_code == 201  # the token's hourly touch
    with counting(app) as statements:
        assert _placed_with(api, "counted").status_code == 201
    assert len(statements) <= 14, "\n\n".join(statements)


def test_a_checkout_that_fails_places_nothing(app, api):
    with app.app_context():
        stranger_address = address_for(make_user("stranger")).id
        reserved = db.session.get(Campaign, api["campaign"]).reserved_units
        db.session.remove()
    theirs = _placed_with(api, "c2", address=stranger_address)
    assert theirs.status_code == 404
    too_many = _placed_with(api, "c3", quantity=10_000)
    assert too_many.status_code == 409
    with app.app_context():
        assert db.session.get(Campaign, api["campaign"]).reserved_units == reserved
        assert db.session.scalar(select(func.count()).select_from(Payment)) == 0
        db.session.remove()


def test_one_call_on_a_campaign_that_takes_no_money_only_ships(app, api):
    with app.app_context():
        campaign = charging_campaign("none")
        ids = campaign.id, campaign.tiers[0].id
        db.session.remove()
    answer = _placed_with(api, "c4", campaign=ids[0], tier=ids[1])
    placed = assert_conforms(app, answer, "POST", "/api/v1/campaigns/{campaign_id}/preorders")
    assert answer.status_code == 201 and placed["started_payment"] is None
    assert placed["payment"]["status"] == "none"
    assert placed["delivery"]["ship_to"]["name"] == "王小明"


def test_a_currency_the_provider_does_not_take_places_nothing(app, api, monkeypatch):
    monkeypatch.setattr(DummyProvider, "currencies", ("USD",))
    answer = _placed_with(api, "c5")
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "currency_not_supported"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
        db.session.remove()


@pytest.mark.parametrize("books_here", [True, False], ids=["books-here", "network-call"])
def test_a_gateway_down_at_checkout_is_retried_with_the_same_key(app, api, monkeypatch, books_here):
    monkeypatch.setattr(DummyProvider, "books_here", books_here)
    create, calls = DummyProvider.create_here, []

    def down_once(self, request):
        calls.append(request.idempotency_key)
        if len(calls) == 1:
            raise ProviderError("gateway down")
        return create(self, request)

    monkeypatch.setattr(DummyProvider, "create_here", down_once)
    down = _placed_with(api, "c6")
    assert down.status_code == 409 and down.get_json()["error"]["code"] == "provider_unavailable"
    again = _placed_with(api, "c6")  # the order stands; the same request starts its payment
    assert again.status_code == 200
    started = again.get_json()["started_payment"]
    assert started["checkout_url"] and calls[0] == calls[1] == f"fanforge-payment-{started['id']}"
    with app.app_context():
        [payment] = payments_of(again.get_json()["id"])
        assert payment.ref and db.session.get(DummyCharge, payment.ref) is not None
        db.session.remove()


def test_the_same_key_with_another_address_ships_the_same_order_there(app, api):
    first = _placed_with(api, "c7").get_json()
    with app.app_context():
        buyer = order(first["id"]).buyer
        office = addresses.add_address(buyer, {
            "recipient": "李雷", "phone": "13912345678", "country": "CN", "region": "上海市",
            "city": "上海市", "street": "南京东路1号", "postal_code": "200001"}).id
        db.session.remove()
    again = _placed_with(api, "c7", address=office)
    assert again.status_code == 200
    moved = again.get_json()
    assert moved["id"] == first["id"] and moved["delivery"]["ship_to"]["name"] == "李雷"
    assert moved["started_payment"]["id"] == first["started_payment"]["id"]
