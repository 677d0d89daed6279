"""The payment side of the JSON API: an order's payment object and timeline, starting a
payment, and staff refunds, each checked against the OpenAPI document."""

from urllib.parse import urlsplit

import pytest
from apicheck import assert_conforms
from helpers import make_user
from paying import address_for, charging_campaign, order, run_actions

from community.accounts import tokens
from community.kernel.extensions import db


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
