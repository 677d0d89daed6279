"""Shared steps of the payment tests: a campaign that charges, a buyer who pays with the
dummy gateway through its own pages (the test client follows what a browser would)."""

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from helpers import make_campaign, make_user

from community.kernel.database import utcnow
from community.kernel.extensions import db
from products.addresses import service as addresses
from products.campaigns import service as campaigns
from products.campaigns.models import Campaign
from products.orders import service as orders
from products.orders.models import Order
from products.payments import checkout, providers, runner, webhooks
from products.payments.models import Payment
from products.payments.providers import dummy

SUCCEEDS, DECLINED, NEEDS_ACTION = dummy.SUCCEEDS, dummy.DECLINED, dummy.NEEDS_ACTION

def charging_campaign(charge_mode="full", **kwargs):
    if charge_mode == "deposit":
        kwargs.setdefault("deposit_percent", 20)
        kwargs.setdefault("balance_days", 7)
    return make_campaign(charge_mode=charge_mode, **kwargs)

def address_for(buyer):
    """A Chinese address in the buyer's book."""
    return addresses.add_address(buyer, {
        "recipient": "王小明", "phone": "13800138000", "country": "CN", "region": "北京市",
        "city": "北京市", "district": "海淀区", "street": "清华园1号", "postal_code": "100084"},
        make_default=True)


def place(campaign, buyer=None, quantity=1, key=None):
    buyer = buyer or make_user()
    if addresses.default_address(buyer) is None:
        address_for(buyer)
    order, _created = orders.place_order(campaign.id, buyer, campaign.tiers[0].id, quantity,
                                         key or f"k-{buyer.id}")
    return order

def pay(client, order_id, card=SUCCEEDS, approve=None):
    """Pay an order from its page: the pay button, the gateway's card form (and its extra
    step); returns the last response."""
    with client.application.app_context():
        placed = db.session.get(Order, order_id)
        address = addresses.default_address(placed.buyer)
    response = client.post(f"/preorders/{order_id}/pay", data={"address_id": address.id})
    assert response.status_code == 302, response.get_data(as_text=True)
    gateway = urlsplit(response.headers["Location"]).path
    assert gateway.startswith("/payments/dummy/checkout/"), gateway
    response = client.post(gateway, data={"card_number": card})
    if approve is not None:
        response = client.post(gateway + "/confirm",
                               data={"decision": "approve" if approve else "refuse"})
    return response

def order(order_id):
    return db.session.get(Order, order_id, populate_existing=True)

def payments_of(order_id):
    return db.session.query(Payment).filter_by(order_id=order_id).order_by(Payment.id).all()

def end_campaign(campaign_id):
    """Move the campaign's end into the past and settle it, as the worker would."""
    campaign = db.session.get(Campaign, campaign_id)
    campaign.starts_at = utcnow() - timedelta(hours=2)
    campaign.ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    return campaigns.settle(campaign_id)

def run_actions():
    done = 0
    while True:
        claimed, batch = runner.run_due()
        done += batch
        if not claimed:
            return done


def pay_directly(placed, card=SUCCEEDS):
    """What the gateway's page does, without a browser: start, the card, the webhook."""
    with current_app.test_request_context():
        payment = checkout.start(placed.id, placed.buyer, f"http://fanforge.test/preorders/{placed.id}",
                                 address_id=addresses.default_address(placed.buyer).id)
    gateway = providers.get("dummy")
    webhooks.receive("dummy", *gateway.notification(gateway.pay(payment.ref, card)))
    _fresh(placed, placed.campaign, payment)
    return payment


def _fresh(*objects):
    """Reload what a checkout's transactions expired, so a test may read it after its
    app context has ended."""
    for obj in objects:
        db.session.refresh(obj)


def start(placed):
    """checkout.start for the order's buyer, to their default address."""
    with current_app.test_request_context():
        payment = checkout.start(placed.id, placed.buyer, "http://fanforge.test/back",
                                 address_id=addresses.default_address(placed.buyer).id)
    _fresh(placed, placed.campaign, payment)
    return payment
