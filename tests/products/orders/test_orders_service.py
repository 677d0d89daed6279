from datetime import timedelta

import pytest
from helpers import make_campaign, make_product, make_user
from sqlalchemy import func, select

from community.kernel.database import utcnow
from community.kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from community.kernel.extensions import db
from community.moderation import service as sanctions_service
from products.campaigns import service as campaigns
from products.campaigns.models import Campaign, Tier
from products.orders import referrals
from products.orders import service as orders
from products.orders.models import Order


def _units(campaign_id):
    campaign = db.session.get(Campaign, campaign_id, populate_existing=True)
    live = db.session.scalar(select(func.coalesce(func.sum(Order.quantity), 0)).where(
        Order.campaign_id == campaign_id, Order.state != "cancelled"))
    return campaign.reserved_units, live


def test_place_and_cancel_then_rebuy(ctx):
    campaign, buyer = make_campaign(cap=10, per_buyer=5), make_user()
    tier = campaign.tiers[0]
    order, created = orders.place_order(campaign.id, buyer, tier.id, 3, "first")
    assert created and order.state == "reserved" and order.total_cents == 3 * tier.price_cents
    assert _units(campaign.id) == (3, 3)
    assert db.session.get(Campaign, campaign.id).backer_count == 1
    orders.cancel_order(order.id, buyer)
    assert _units(campaign.id) == (0, 0)
    assert db.session.get(Campaign, campaign.id, populate_existing=True).backer_count == 0
    with pytest.raises(Conflict):
        orders.cancel_order(order.id, buyer)
    again, created = orders.place_order(campaign.id, buyer, tier.id, 5, "second")
    assert created and _units(campaign.id) == (5, 5)


def test_same_key_same_order_and_different_body_is_422(ctx):
    campaign, buyer = make_campaign(), make_user()
    tier = campaign.tiers[0]
    first, created = orders.place_order(campaign.id, buyer, tier.id, 2, "key")
    again, created_again = orders.place_order(campaign.id, buyer, tier.id, 2, "key")
    assert created and not created_again and again.id == first.id
    with pytest.raises(ValidationError) as caught:
        orders.place_order(campaign.id, buyer, tier.id, 3, "key")
    assert caught.value.code == "idempotency_key_reused"
    assert _units(campaign.id) == (2, 2)


@pytest.mark.parametrize(
    ("quantity", "tier_offset", "key", "code"),
    [(0, 0, "k", "bad_quantity"), (-1, 0, "k", "bad_quantity"), ("2", 0, "k", "bad_quantity"),
     (1, 999, "k", "bad_tier"), (1, 0, "", "bad_idempotency_key"), (1, 0, "x" * 65, "bad_idempotency_key")],
)
def test_bad_orders_write_nothing(ctx, quantity, tier_offset, key, code):
    campaign, buyer = make_campaign(), make_user()
    with pytest.raises(ValidationError) as caught:
        orders.place_order(campaign.id, buyer, campaign.tiers[0].id + tier_offset, quantity, key)
    assert caught.value.code == code
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_limits_sold_out_and_not_live(ctx):
    campaign = make_campaign(goal=3, cap=6, per_buyer=4, tiers=[
        {"name": "Early bird", "price_cents": 9900, "currency": "CNY", "limit_units": 2},
        {"name": "Standard", "price_cents": 12900, "currency": "CNY"}])
    early, standard = campaign.tiers
    a, b = make_user(), make_user()
    orders.place_order(campaign.id, a, early.id, 2, "a1")
    with pytest.raises(Conflict) as caught:
        orders.place_order(campaign.id, b, early.id, 1, "b1")
    assert caught.value.code == "sold_out"  # the tier's own limit
    orders.place_order(campaign.id, a, standard.id, 2, "a2")
    with pytest.raises(Conflict) as caught:
        orders.place_order(campaign.id, a, standard.id, 1, "a3")
    assert caught.value.code == "limit_reached"
    orders.place_order(campaign.id, b, standard.id, 2, "b2")
    with pytest.raises(Conflict) as caught:
        orders.place_order(campaign.id, b, standard.id, 1, "b3")
    assert caught.value.code == "sold_out"
    assert _units(campaign.id) == (6, 6)
    assert db.session.get(Tier, early.id, populate_existing=True).reserved_units == 2
    draft = make_campaign(publish=False)
    with pytest.raises(NotFound):  # a draft is as missing to a buyer as no campaign
        orders.place_order(draft.id, a, draft.tiers[0].id, 1, "d")
    later = make_campaign(starts_in_hours=3)
    with pytest.raises(Conflict) as caught:
        orders.place_order(later.id, a, later.tiers[0].id, 1, "l")
    assert caught.value.code == "campaign_not_live"


def test_early_window_for_cocreators_and_f_code_holders(ctx):
    co, fan, holder, staff = make_user(), make_user(), make_user(), make_user(role="staff")
    product = make_product(staff=staff, cocreators=[co, holder])
    tiers = [{"name": "Founders", "price_cents": 9900, "currency": "CNY",
              "early_until": utcnow() + timedelta(hours=2)}]
    campaign = make_campaign(product, staff, tiers=tiers)
    tier = campaign.tiers[0]
    with pytest.raises(Conflict) as caught:
        orders.place_order(campaign.id, fan, tier.id, 1, "f")
    assert caught.value.code == "early_access_only"
    orders.place_order(campaign.id, co, tier.id, 1, "c")  # co-creators need no code
    [code] = [c.code for c in campaigns.f_codes_of(holder, campaign.id)]  # from publishing
    with pytest.raises(Conflict) as caught:  # someone else's code
        orders.place_order(campaign.id, fan, tier.id, 1, "f2", f_code=code)
    assert caught.value.code == "invalid_f_code"
    order, _ = orders.place_order(campaign.id, holder, tier.id, 1, "h", f_code=code.lower())
    assert order.f_code_id is not None
    with pytest.raises(Conflict) as caught:  # single use
        orders.place_order(campaign.id, holder, tier.id, 1, "h2", f_code=code)
    assert caught.value.code == "invalid_f_code"
    orders.cancel_order(order.id, holder)  # gives the code back
    order, _ = orders.place_order(campaign.id, holder, tier.id, 1, "h3", f_code=code)
    assert order.state == "reserved"


def test_banned_buyers_and_other_peoples_orders(ctx):
    campaign, buyer, other, staff = make_campaign(), make_user(), make_user(), make_user(role="staff")
    order, _ = orders.place_order(campaign.id, buyer, campaign.tiers[0].id, 1, "k")
    with pytest.raises(NotFound):
        orders.get_order(order.id, other)
    with pytest.raises(NotFound):
        orders.cancel_order(order.id, other)
    sanctions_service.ban_user(other, staff, "fraud")
    with pytest.raises(Forbidden):
        orders.place_order(campaign.id, other, campaign.tiers[0].id, 1, "k")


def test_referrals_never_credit_the_buyer(ctx):
    campaign, fan, friend = make_campaign(), make_user(), make_user()
    code = referrals.code_for(fan.id)
    assert referrals.user_id_for(code) == fan.id
    assert referrals.user_id_for(code[:-1] + ("0" if code[-1] != "0" else "1")) is None
    assert referrals.user_id_for("nonsense!") is None
    tier = campaign.tiers[0].id
    mine, _ = orders.place_order(campaign.id, fan, tier, 1, "k", referrer_id=fan.id)
    theirs, _ = orders.place_order(campaign.id, friend, tier, 2, "k", referrer_id=fan.id)
    assert mine.referrer_id is None and theirs.referrer_id == fan.id
    assert referrals.backers_brought(fan.id) == 1
    assert [(u.id, backers, units) for u, backers, units in referrals.top_referrers([campaign.id])] == [
        (fan.id, 1, 2)]


def test_csv_stream_walks_every_order(ctx):
    campaign = make_campaign(cap=500, per_buyer=1)
    buyers = [make_user() for _ in range(7)]
    for i, b in enumerate(buyers):
        orders.place_order(campaign.id, b, campaign.tiers[0].id, 1, f"k{i}")
    assert len(list(orders.campaign_orders(campaign.id, batch=3))) == 7
