"""Attack 7: the one-call checkout (order and payment in one request, its writes on the
driver) raced over real HTTP (gunicorn, 4 workers): one key sent twenty times at once,
and buyers rushing a paying campaign past its cap. No 500, no oversell, no order without
its one payment, no payment without its order."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from crowds import make_addresses, make_fans, make_tokens
from helpers import make_campaign, make_user
from sqlalchemy import func, select

from community.accounts import tokens
from community.kernel.extensions import db
from products.addresses import service as addresses
from products.campaigns.models import Campaign, CampaignBuyer, Tier
from products.orders.models import Order
from products.payments.models import Payment

pytestmark = pytest.mark.concurrency
ADDRESS = {"recipient": "王小明", "phone": "13800138000", "country": "CN", "region": "北京市",
           "city": "北京市", "district": "海淀区", "street": "清华园1号", "postal_code": "100084"}


def _buyer(name):
    user = make_user(name)
    return tokens.create_token(user, "race")[1], addresses.add_address(user, ADDRESS).id


def _buyers(names):
    """As _buyer, many at once (tests/crowds.py)."""
    users = make_fans(names)
    return list(zip(make_tokens(users, "race"), make_addresses(users, ADDRESS), strict=True))


def _checkout(base, ids, buyer, key, quantity):
    token, address = buyer
    return requests.post(f"{base}/api/v1/campaigns/{ids['campaign']}/preorders",
                         json={"tier": ids["tier"], "quantity": quantity, "address_id": address},
                         headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                         timeout=120)


def _run_all(calls, workers):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: call(), calls))


def _books():
    """(live orders, their units, payments, payments whose order is not live, live orders
    without exactly one payment)."""
    live = dict(db.session.execute(select(Order.id, Order.quantity)
                                   .where(Order.state != "cancelled")).all())
    paid = db.session.scalars(select(Payment.order_id)).all()
    return (len(live), sum(live.values()), len(paid), sum(o not in live for o in paid),
            sum(paid.count(o) != 1 for o in live))


def test_one_key_sent_twenty_times_with_an_address_is_one_order_and_one_payment(
        app, live_servers):
    with app.app_context():
        campaign = make_campaign(cap=50, per_buyer=2, charge_mode="full")
        ids = {"campaign": campaign.id, "tier": campaign.tiers[0].id}
        buyer = _buyer("a7clicker")
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4)
    responses = _run_all([lambda: _checkout(base, ids, buyer, "twin", 2) for _ in range(20)], 20)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 19 + [201], [r.text[:200] for r in responses if r.status_code >= 300]
    assert len({r.json()["id"] for r in responses}) == 1
    with app.app_context():
        assert _books() == (1, 2, 1, 0, 0)
        assert db.session.get(Campaign, ids["campaign"]).reserved_units == 2


def test_sixty_buyers_rush_ten_units_of_a_paying_campaign(app, live_servers):
    """And the product page, stored by the workers in their shared file store while the
    rush ran, shows all ten units taken the moment it is over (live figures not lagging)."""
    with app.app_context():
        campaign = make_campaign(cap=10, per_buyer=2, charge_mode="full")
        ids = {"campaign": campaign.id, "tier": campaign.tiers[0].id}
        page = f"/products/{campaign.product.slug}"
        buyers = _buyers([f"a7rush{i}" for i in range(60)])
    base = live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4,
                              env={"FANFORGE_PAGE_CACHE_LIVE_SECONDS": "0"})
    for _ in range(8):  # every worker stores or serves it before the rush
        assert 'data-testid="units-reserved">0<' in requests.get(base + page, timeout=30).text
    readers = [lambda: requests.get(base + page, timeout=120) for _ in range(30)]
    calls = [call for pair in zip([lambda b=b: _checkout(base, ids, b, "rush", 2)
                                   for b in buyers], readers * 2, strict=True) for call in pair]
    responses = [r for r in _run_all(calls, 30) if r.request.method == "POST"]
    codes = [r.status_code for r in responses]
    for _ in range(8):
        assert 'data-testid="units-reserved">10<' in requests.get(base + page, timeout=30).text
    assert set(codes) <= {201, 409}, [r.text[:200] for r in responses if r.status_code not in (201, 409)]
    assert codes.count(201) == 5
    with app.app_context():
        assert _books() == (5, 10, 5, 0, 0)
        campaign = db.session.get(Campaign, ids["campaign"])
        assert (campaign.reserved_units, campaign.backer_count) == (10, 5)
        assert db.session.get(Tier, ids["tier"]).reserved_units == 10
        assert db.session.scalar(select(func.sum(CampaignBuyer.units))) == 10
