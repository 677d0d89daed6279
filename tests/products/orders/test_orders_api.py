from datetime import timedelta

import pytest
from apicheck import assert_conforms
from helpers import make_board, make_campaign, make_product, make_user
from sqlalchemy import func, select

from community.accounts import service as accounts
from community.accounts import tokens
from community.ideas import service as ideas
from community.ideas.models import Vote
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.moderation import service as sanctions_service
from products.orders import referrals
from products.orders.models import Order


@pytest.fixture
def store(app):
    with app.app_context():
        staff = make_user("boss", role="staff")
        buyer, friend = make_user("buyer"), make_user("friend")
        campaign = make_campaign(staff=staff, cap=5, per_buyer=3)
        product = make_product(staff=staff, slug="next-band")
        data = {"campaign": campaign.id, "tier": campaign.tiers[0].id, "slug": product.slug,
                "ref": referrals.code_for(friend.id), "friend": friend.id,
                "buyer_token": tokens.create_token(buyer, "t")[1],
                "friend_token": tokens.create_token(friend, "t")[1],
                "staff_token": tokens.create_token(staff, "t")[1]}
    client = app.test_client()

    def call(method, path, token, json=None, key=None):
        headers = {"Authorization": f"Bearer {token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return client.open(path, method=method, headers=headers, json=json)

    data["call"] = call
    return data


PREORDERS = "/api/v1/campaigns/{campaign_id}/preorders"


def _preorder(store, key="k1", token=None, **body):
    payload = {"tier": store["tier"], "quantity": 1, **body}
    return store["call"]("POST", f"/api/v1/campaigns/{store['campaign']}/preorders",
                         token or store["buyer_token"], payload, key)


def test_preorder_idempotent_and_cancel(app, store):
    first = _preorder(store, quantity=2, ref=store["ref"])
    order = assert_conforms(app, first, "POST", PREORDERS)
    assert first.status_code == 201 and order["state"] == "reserved" and order["total_cents"] == 2 * 19900
    assert order["referrer"]["id"] == store["friend"]
    again = _preorder(store, quantity=2, ref=store["ref"])
    assert again.status_code == 200 and again.get_json()["id"] == order["id"]
    different = _preorder(store, quantity=3)
    assert different.status_code == 422
    assert different.get_json()["error"]["code"] == "idempotency_key_reused"
    call = store["call"]
    mine = assert_conforms(app, call("GET", "/api/v1/me/preorders", store["buyer_token"]), "GET",
                           "/api/v1/me/preorders")
    assert [o["id"] for o in mine["items"]] == [order["id"]]
    assert call("GET", f"/api/v1/preorders/{order['id']}", store["friend_token"]).status_code == 404
    cancelled = call("POST", f"/api/v1/preorders/{order['id']}/cancel", store["buyer_token"])
    assert assert_conforms(app, cancelled, "POST", "/api/v1/preorders/{order_id}/cancel")["state"] == "cancelled"
    campaign = call("GET", f"/api/v1/campaigns/{store['campaign']}", store["buyer_token"]).get_json()
    assert campaign["reserved_units"] == 0 and campaign["backers"] == 0


PREORDER_ERRORS = [
    ({"quantity": 4}, "a", 409, "limit_reached"), ({"quantity": 0}, "b", 422, "bad_quantity"),
    ({"tier": 99999}, "c", 422, "bad_tier"), ({"quantity": "2"}, "d", 422, "invalid"),
    ({}, None, 400, "idempotency_key_required"), ({}, "x" * 65, 400, "idempotency_key_required")]


def test_preorder_errors(app, store):
    for body, key, status, code in PREORDER_ERRORS:  # one store: a refused pre-order places nothing
        response = _preorder(store, key=key, **body)
        assert (response.status_code, response.get_json()["error"]["code"]) == (status, code), body
        assert_conforms(app, response, "POST", PREORDERS)


def test_sold_out_is_409(app, store):
    _preorder(store, key="b1", quantity=3)
    _preorder(store, key="f1", token=store["friend_token"], quantity=2)
    response = _preorder(store, key="f2", token=store["friend_token"], quantity=1)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "sold_out"


def test_staff_create_publish_cancel(app, store):
    call, token = store["call"], store["staff_token"]
    start = (utcnow() + timedelta(hours=2)).isoformat() + "Z"
    end = (utcnow() + timedelta(days=5)).isoformat() + "Z"
    body = {"goal_units": 10, "cap_units": 20, "starts_at": start, "ends_at": end, "per_buyer_limit": 2,
            "tiers": [{"name": "Standard", "price_cents": 29900, "currency": "CNY",
                       "limit_units": 10, "early_until": None}]}
    assert call("POST", f"/api/v1/products/{store['slug']}/campaigns", store["buyer_token"], body).status_code == 403
    created = call("POST", f"/api/v1/products/{store['slug']}/campaigns", token, body)
    draft = assert_conforms(app, created, "POST", "/api/v1/products/{slug}/campaigns")
    assert created.status_code == 201 and draft["state"] == "draft"
    assert call("GET", f"/api/v1/campaigns/{draft['id']}", store["buyer_token"]).status_code == 404
    published = call("POST", f"/api/v1/campaigns/{draft['id']}/publish", token)
    assert assert_conforms(app, published, "POST", "/api/v1/campaigns/{campaign_id}/publish")["state"] == "scheduled"
    response = _preorder(store, key="early")
    assert response.status_code == 201  # the first campaign is untouched
    not_live = store["call"]("POST", f"/api/v1/campaigns/{draft['id']}/preorders", store["buyer_token"],
                             {"tier": published.get_json()["tiers"][0]["id"], "quantity": 1}, "x")
    assert not_live.status_code == 409 and not_live.get_json()["error"]["code"] == "campaign_not_live"
    cancelled = call("POST", f"/api/v1/campaigns/{draft['id']}/cancel", token)
    assert cancelled.get_json()["state"] == "cancelled"
    bad = call("POST", f"/api/v1/products/{store['slug']}/campaigns", token, {**body, "starts_at": "tomorrow"})
    assert bad.status_code == 422


def test_the_write_paths_keep_the_accounts_rules(app, store):
    """A vote and a pre-order read their token's user as facts from one row (the rest of
    the account unloaded): a ban and an unconfirmed address still stop them, nothing is
    written, and what is written carries the token's own user."""
    with app.app_context():
        idea_id = ideas.propose(make_board(), make_user(), "Light and right", "b").id
        shy = make_user("shy", verified=False)
        shy_token = tokens.create_token(shy, "t")[1]
    vote = store["call"]("PUT", f"/api/v1/ideas/{idea_id}/vote", store["buyer_token"])
    assert vote.status_code == 200 and vote.get_json() == {"voted": True, "votes": 1}
    app.config["REQUIRE_VERIFIED_EMAIL"] = True
    unconfirmed = _preorder(store, key="shy-1", token=shy_token)
    assert unconfirmed.status_code == 403
    assert unconfirmed.get_json()["error"]["code"] == "email_unverified"
    assert _preorder(store, key="buyer-1").status_code == 201
    with app.app_context():
        sanctions_service.ban_user(accounts.get_by_username("buyer"),
                            accounts.get_by_username("boss"), "spam")
    banned = [store["call"]("DELETE", f"/api/v1/ideas/{idea_id}/vote", store["buyer_token"]),
              _preorder(store, key="buyer-2")]
    assert [(r.status_code, r.get_json()["error"]["code"]) for r in banned] == [
        (403, "banned"), (403, "banned")]
    with app.app_context():
        buyer = accounts.get_by_username("buyer")
        assert db.session.execute(select(Vote.user_id, Vote.idea_id)).all() == [(buyer.id, idea_id)]
        assert db.session.execute(select(Order.buyer_id, func.count()).group_by(Order.buyer_id)
                                  ).all() == [(buyer.id, 1)]
