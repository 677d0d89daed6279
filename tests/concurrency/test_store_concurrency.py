"""No oversell: concurrent pre-orders through gunicorn with 4 workers, SQLite and PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from crowds import make_fans, make_tokens
from helpers import make_campaign, make_user
from sqlalchemy import func, select

from community.accounts import tokens
from community.kernel.extensions import db
from products.campaigns.models import Campaign, CampaignBuyer, Tier
from products.orders.models import Order

pytestmark = pytest.mark.concurrency


def _run_all(calls, workers):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: call(), calls))


def _post(base, campaign_id, token, key, tier, quantity=1):
    return requests.post(f"{base}/api/v1/campaigns/{campaign_id}/preorders",
                         json={"tier": tier, "quantity": quantity},
                         headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                         timeout=120)


def test_300_buyers_on_a_cap_of_50(app, live_servers):
    with app.app_context():
        campaign = make_campaign(cap=50, per_buyer=2)
        ids = {"campaign": campaign.id, "tier": campaign.tiers[0].id}
        buyer_tokens = make_tokens(make_fans([f"buyer{i}" for i in range(300)]))
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    responses = _run_all([lambda t=t: _post(base, ids["campaign"], t, "once", ids["tier"])
                          for t in buyer_tokens], workers=60)
    codes = [r.status_code for r in responses]
    assert set(codes) <= {201, 409}, {c for c in codes if c not in (201, 409)}
    assert codes.count(201) == 50
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"sold_out"}
    with app.app_context():
        campaign = db.session.get(Campaign, ids["campaign"])
        live = db.session.scalar(select(func.sum(Order.quantity)).where(Order.state != "cancelled"))
        assert campaign.reserved_units == 50 == live
        assert campaign.backer_count == 50
        assert db.session.get(Tier, ids["tier"]).reserved_units == 50
        assert db.session.scalar(select(func.sum(CampaignBuyer.units))) == 50


def test_20_sends_of_one_key_make_one_order(app, live_servers):
    with app.app_context():
        campaign = make_campaign(cap=50, per_buyer=2)
        ids = {"campaign": campaign.id, "tier": campaign.tiers[0].id}
        token = tokens.create_token(make_user("clicker"), "load")[1]
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    responses = _run_all([lambda: _post(base, ids["campaign"], token, "double-click", ids["tier"], 2)
                          for _ in range(20)], workers=20)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 19 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 1
        assert db.session.get(Campaign, ids["campaign"]).reserved_units == 2
