from datetime import timedelta

import pytest
from helpers import make_campaign, make_product, make_user
from sqlalchemy import update

from community.kernel.database import utcnow
from community.kernel.errors import Conflict, Forbidden, ValidationError
from community.kernel.extensions import db
from products.campaigns import service as campaigns
from products.campaigns.models import Campaign, FCode
from products.orders import service as orders


def _end(campaign):
    db.session.execute(update(Campaign).where(Campaign.id == campaign.id).values(
        starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"goal": 0}, "goal_units"), ({"goal": 60, "cap": 50}, "cap_units"),
     ({"per_buyer": 0}, "per_buyer_limit"),
     ({"tiers": [{"name": "", "price_cents": 1, "currency": "CNY"}]}, "tiers"),
     ({"tiers": [{"name": "A", "price_cents": 1.5, "currency": "CNY"}]}, "tiers"),
     ({"tiers": [{"name": "A", "price_cents": 100, "currency": "XYZ"}]}, "tiers"),
     ({"tiers": [{"name": "A", "price_cents": 100, "currency": "CNY", "limit_units": 0}]}, "tiers"),
     ({"ends_in_hours": -2, "starts_in_hours": -3}, "ends_at")],
)
def test_bad_campaigns_are_refused(ctx, change, field):
    kwargs = {"publish": False, **change}
    with pytest.raises(ValidationError) as caught:
        make_campaign(**kwargs)
    assert caught.value.field == field
    assert db.session.query(Campaign).count() == 0


def test_only_staff_create_and_publish(ctx):
    fan = make_user()
    with pytest.raises(Forbidden):
        make_campaign(staff=fan)


def test_publish_states_and_f_codes_for_cocreators(ctx):
    co1, co2 = make_user(), make_user()
    staff = make_user(role="staff")
    product = make_product(staff=staff, cocreators=[co1, co2])
    upcoming = make_campaign(product, staff, starts_in_hours=5, ends_in_hours=48)
    assert upcoming.state == "scheduled" and upcoming.effective_state() == "scheduled"
    assert {c.user_id for c in db.session.query(FCode)} == {co1.id, co2.id}
    with pytest.raises(Conflict):  # one open campaign per product
        make_campaign(product, staff)
    with pytest.raises(Conflict):
        campaigns.publish(upcoming.id, staff)  # not a draft any more


def test_settle_success_confirms_and_failure_cancels_all(ctx):
    buyers = [make_user() for _ in range(3)]
    good, bad = make_campaign(goal=4), make_campaign(goal=10)
    for i, buyer in enumerate(buyers):
        orders.place_order(good.id, buyer, good.tiers[0].id, 2, f"k{i}")
        orders.place_order(bad.id, buyer, bad.tiers[0].id, 1, f"bad{i}")
    assert campaigns.settle(good.id) is None  # not ended yet
    _end(good)
    _end(bad)
    assert campaigns.settle(good.id) == "succeeded"
    assert campaigns.settle(good.id) is None  # twice: nothing changes
    assert campaigns.settle_due() == [(bad.id, "failed")]
    assert campaigns.settle_due() == []
    good_orders = orders.orders_of(buyers[0])[0]
    states = {(o.campaign_id, o.state, o.cancel_reason) for o in good_orders}
    assert states == {(good.id, "confirmed", None), (bad.id, "cancelled", "campaign_failed")}


def test_viewing_an_ended_campaign_settles_it(ctx):
    campaign = make_campaign(goal=1)
    orders.place_order(campaign.id, make_user(), campaign.tiers[0].id, 1, "k")
    _end(campaign)
    assert campaigns.refresh(campaign).state == "succeeded"


def test_cancelling_a_campaign_cancels_its_orders(ctx):
    campaign, buyer, staff = make_campaign(), make_user(), make_user(role="staff")
    order, _ = orders.place_order(campaign.id, buyer, campaign.tiers[0].id, 1, "k")
    campaigns.cancel(campaign.id, staff, "supplier problem")
    assert orders.get_order(order.id, buyer).state == "cancelled"
    with pytest.raises(Conflict):
        campaigns.cancel(campaign.id, staff)


def test_staff_issue_f_codes_once_per_person_and_only_to_qualifying_cocreators(ctx):
    staff, fans, outsider = make_user(role="staff"), [make_user(), make_user()], make_user()
    campaign = make_campaign(make_product(staff=staff, cocreators=fans), staff, publish=False)
    chosen = [f.id for f in fans] + [outsider.id]
    assert len(campaigns.issue_f_codes(campaign.id, staff, chosen, "top fan")) == 2
    assert campaigns.issue_f_codes(campaign.id, staff, [fans[0].id]) == []
    assert len(campaigns.f_codes_of(fans[0], campaign.id)) == 1
    assert campaigns.f_codes_of(outsider, campaign.id) == []  # not a co-creator


def test_f_codes_for_the_top_contributors_of_the_board(ctx):
    from community.forum import service as forum

    staff = make_user(role="staff")
    busy, quiet, idle, loud = make_user(), make_user(), make_user(), make_user()
    product = make_product(staff=staff, cocreators=[busy, quiet, idle])
    campaign = make_campaign(product, staff=staff, publish=False)
    board = campaign.product.board
    for i in range(3):
        forum.create_thread(board, busy, f"Busy {i}", "b")
    forum.create_thread(board, quiet, "Quiet", "b")
    for i in range(5):  # the busiest of all, but no co-creator of this product
        forum.create_thread(board, loud, f"Loud {i}", "b")
    codes = campaigns.issue_f_codes_to_top(campaign.id, staff, 2)
    holders = {c.user_id for c in db.session.query(FCode).filter_by(campaign_id=campaign.id)}
    assert len(codes) == 2 and holders == {busy.id, quiet.id}
    with pytest.raises(ValidationError):
        campaigns.issue_f_codes_to_top(campaign.id, staff, 0)
