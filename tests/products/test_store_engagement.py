from datetime import timedelta

from helpers import make_campaign, make_contributor, make_product, make_user
from sqlalchemy import update

from community.accounts import service as accounts
from community.engagement import ledger, medals
from community.kernel.database import utcnow
from community.kernel.extensions import db
from products.campaigns import service as campaigns
from products.campaigns.models import Campaign
from products.catalog import participation
from products.orders import service as orders


def test_joining_a_product_earns_points_and_the_cocreator_medal(ctx):
    product = make_product()
    fan = make_contributor(product)
    before = accounts.get_by_username(fan.username).points
    assert participation.join(product, fan)
    assert accounts.get_by_username(fan.username).points == before + 5
    assert "cocreator" in {m.medal for m in medals.medals_of(fan.id)}
    assert not participation.join(product, fan)
    assert accounts.get_by_username(fan.username).points == before + 5


def test_top_referrer_of_a_successful_campaign_gets_a_medal(ctx):
    campaign = make_campaign(goal=2, cap=10, per_buyer=2)
    star, also = make_user(), make_user()
    buyers = [make_user() for _ in range(3)]
    tier = campaign.tiers[0].id
    orders.place_order(campaign.id, buyers[0], tier, 1, "a", referrer_id=star.id)
    orders.place_order(campaign.id, buyers[1], tier, 1, "b", referrer_id=star.id)
    orders.place_order(campaign.id, buyers[2], tier, 1, "c", referrer_id=also.id)
    db.session.execute(update(Campaign).where(Campaign.id == campaign.id).values(
        starts_at=utcnow() - timedelta(days=2), ends_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert campaigns.settle(campaign.id) == "succeeded"
    assert "top_referrer" in {m.medal for m in medals.medals_of(star.id)}
    assert "top_referrer" not in {m.medal for m in medals.medals_of(also.id)}


def test_recompute_agrees_with_the_store_rules(ctx):
    product = make_product()
    participation.join(product, make_contributor(product))
    changes = ledger.recompute()
    assert changes == {"entries": 0, "users": 0}
    assert medals.recompute() == 0
