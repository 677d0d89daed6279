"""Money under load, on SQLite and PostgreSQL: buyers rushing a paying campaign through
the dummy gateway's pages over HTTP (gunicorn, 4 workers), one webhook replayed twenty
times at once, and the refunds of a failed campaign done by worker processes, one of
them killed half-way."""

import contextlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from crowds import make_addresses, make_fans, make_tokens
from flask import current_app
from helpers import make_campaign, make_user
from servers import ROOT, Zygote, csrf_token
from sqlalchemy import func, select

from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from products.addresses import service as addresses
from products.campaigns import service as campaigns
from products.campaigns.models import Campaign, CampaignBuyer, Tier
from products.orders import service as orders
from products.orders.models import Order
from products.payments import checkout, ledger, providers, reservations, runner, webhooks
from products.payments.models import LedgerEntry, Payment, PaymentAction, WebhookReceipt
from products.payments.providers.dummy import (
    DECLINED,
    SUCCEEDS,
    DummyCharge,
    DummyProvider,
    DummyRefund,
)

pytestmark = pytest.mark.concurrency
SECRET = "whsec_live_concurrency"  # the live servers' dummy webhook secret, to sign with
PRICE = 19900  # make_campaign's tier, in fen
ADDRESS = {"recipient": "王小明", "phone": "13800138000", "country": "CN", "region": "北京市",
           "city": "北京市", "district": "海淀区", "street": "清华园1号", "postal_code": "100084"}


def _run_all(calls, workers=32):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: call(), calls))


def _serve(app, live_servers):
    return live_servers.start(app.config["SQLALCHEMY_DATABASE_URI"], workers=4,
                              env={"FANFORGE_PAYMENTS_DUMMY_WEBHOOK_SECRET": SECRET})


@contextlib.contextmanager
def _serving_meanwhile(app, live_servers):
    """gunicorn boots while the test seeds (it needs no rows to start); yields a callable
    answering its base URL once it is up."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = pool.submit(_serve, app, live_servers)
        yield started.result


class Buyer:
    """A buyer with an API token: places and starts paying over the API (in one call, the
    order naming the address, or `two_calls`: place, then pay), then pays on the gateway's
    card form in a browser session of their own (CSRF token and all)."""

    def __init__(self, base, token_and_address, plan, two_calls=False):
        self.base, self.plan, self.two_calls = base, plan, two_calls
        self.token, self.address_id = token_and_address
        self.session = requests.Session()
        self.order_id = self.status = self.gateway = self.page = None

    def _api(self, path, body=None, **headers):
        return requests.post(self.base + "/api/v1" + path, json=body, timeout=120,
                             headers={"Authorization": f"Bearer {self.token}", **headers})

    def place(self, campaign_id, tier_id):
        body = {"tier": tier_id, "quantity": 1}
        if not self.two_calls:
            body["address_id"] = self.address_id
        response = self._api(f"/campaigns/{campaign_id}/preorders", body,
                             **{"Idempotency-Key": "once"})
        self.status = response.status_code
        if response.status_code == 201:
            self.order_id = response.json()["id"]
            if not self.two_calls:
                self._gateway_of(response.json()["started_payment"])
        else:
            assert response.json()["error"]["code"] == "sold_out", response.text
        return response

    def start_payment(self):
        if self.gateway is not None:  # started by the order's own call
            return
        response = self._api(f"/preorders/{self.order_id}/pay", {"address_id": self.address_id})
        assert response.status_code == 200, response.text
        self._gateway_of(response.json())

    def _gateway_of(self, payment):
        self.gateway = urlsplit(payment["checkout_url"]).path
        assert self.gateway.startswith("/payments/dummy/checkout/"), self.gateway

    def open_gateway(self):
        """The gateway's page, as a browser opens it and may leave it open."""
        self.page = self.session.get(self.base + self.gateway, timeout=120)
        assert self.page.status_code == 200, self.page.text[:300]
        return self.page

    def card(self, number):
        """The card form of the page left open (else opened now) sent, or None when the
        page shows no form: the payment was voided first (sold out to faster payers)."""
        page = self.page or self.open_gateway()
        token = csrf_token(page.text)  # the card form's own: a visitor's page has no other
        if token is None:
            assert "This payment was cancelled." in page.text, page.text
            return None
        return self.session.post(self.base + self.gateway, timeout=120, allow_redirects=False,
                                 data={"card_number": number, "csrf_token": token})


def _rush(buyer, ids):
    """Place, then do what the buyer's plan says: pay, never pay, open the gateway's page
    and leave, or have the card declined."""
    if buyer.place(ids["campaign"], ids["tier"]).status_code != 201 or buyer.plan == "never":
        return
    buyer.start_payment()
    if buyer.plan == "pay":
        response = buyer.card(SUCCEEDS)
        assert response is None or (response.status_code == 302 and response.headers[
            "Location"].endswith(f"/preorders/{buyer.order_id}"))
    elif buyer.plan == "decline":
        response = buyer.card(DECLINED)
        assert response is None or (response.status_code == 302
                                     and buyer.gateway in response.headers["Location"])
    elif buyer.plan == "abandon":
        buyer.open_gateway()


def _check_books(campaign_id, cap):
    """Counters agree with the orders, every paid order's money is in the ledger, and no
    more than `cap` units are paid for. Returns the paid units."""
    campaign = db.session.get(Campaign, campaign_id, populate_existing=True)
    live = dict(db.session.execute(
        select(Order.buyer_id, func.sum(Order.quantity))
        .where(Order.campaign_id == campaign_id, Order.state != "cancelled")
        .group_by(Order.buyer_id)).all())
    held = sum(live.values())
    assert campaign.reserved_units == held
    assert db.session.scalar(select(Tier.reserved_units).where(Tier.campaign_id == campaign_id)) == held
    buyers = dict(db.session.execute(select(CampaignBuyer.user_id, CampaignBuyer.units)
                                     .where(CampaignBuyer.campaign_id == campaign_id)).all())
    assert {user: units for user, units in buyers.items() if units} == live
    assert campaign.backer_count == len(live)
    paid = db.session.scalars(select(Order).where(
        Order.campaign_id == campaign_id, Order.state != "cancelled",
        Order.payment_status == "paid")).all()
    captured = dict(db.session.execute(
        select(LedgerEntry.order_id, func.sum(LedgerEntry.amount_cents))
        .where(LedgerEntry.campaign_id == campaign_id, LedgerEntry.kind == "captured")
        .group_by(LedgerEntry.order_id)).all())
    assert all(captured.get(order.id) == order.total_cents == order.paid_cents for order in paid)
    units = sum(order.quantity for order in paid)
    assert units <= cap
    return units


def _shoppers(names):
    """Fans with an address to ship to: [(API token, address id)], in one go (crowds.py)."""
    fans = make_fans(names)
    return list(zip(make_tokens(fans), make_addresses(fans, ADDRESS), strict=True))


def _run_actions():
    done = 0
    while True:
        claimed, batch = runner.run_due()
        done += batch
        if not claimed:
            return done


# Six buyers for every unit, the proportion of the first version's 300 for 50: enough to
# queue every worker and race every step, for a fifth of the seeding.
CAP = 20


def test_120_buyers_rush_a_paying_campaign_of_20(app, live_servers):
    plans = ("pay", "never", "abandon", "decline")
    with _serving_meanwhile(app, live_servers) as served, app.app_context():
        campaign = make_campaign(cap=CAP, per_buyer=1, charge_mode="full")
        ids = {"campaign": campaign.id, "tier": campaign.tiers[0].id}
        first = [(shopper, plans[i % 4])
                 for i, shopper in enumerate(_shoppers([f"rush{i}" for i in range(6 * CAP)]))]
        second = _shoppers([f"later{i}" for i in range(CAP + CAP // 5)])
        base = served()

    # Every plan both ways: the one-call checkout and place-then-pay.
    wave = [Buyer(base, shopper, plan, two_calls=i % 8 >= 4)
            for i, (shopper, plan) in enumerate(first)]
    _run_all([lambda b=b: _rush(b, ids) for b in wave])
    won = [b for b in wave if b.order_id]
    assert len(won) == CAP and {b.status for b in wave if not b.order_id} == {409}
    payers = {b.order_id for b in won if b.plan == "pay"}
    with app.app_context():
        assert _check_books(ids["campaign"], CAP) == len(payers)
        unpaid = db.session.scalars(select(Order.payment_status).where(
            Order.id.in_([b.order_id for b in won if b.order_id not in payers]))).all()
        assert set(unpaid) <= {"awaiting"}

    # The holds run out while the declined buyers try again with a good card: each
    # either pays before its hold is released (and keeps the unit) or after (refunded).
    late = [b for b in won if b.plan == "decline"]
    with ThreadPoolExecutor(max_workers=max(len(late), 1)) as pool:
        tries = [pool.submit(b.card, SUCCEEDS) for b in late]
        time.sleep(0.05)
        with app.app_context():
            released = reservations.expire_unpaid(now=utcnow() + timedelta(minutes=16))
        assert all(t.result().status_code == 302 for t in tries)
    with app.app_context():
        paid = _check_books(ids["campaign"], CAP)
        kept = set(db.session.scalars(select(Order.id).where(
            Order.campaign_id == ids["campaign"], Order.state != "cancelled")))
        assert payers <= kept <= payers | {b.order_id for b in late}
        assert released == CAP - paid == CAP - len(kept)

    # A second wave buys exactly the units that came back, and pays for them.
    again = [Buyer(base, shopper, "pay", two_calls=i % 2 == 1) for i, shopper in enumerate(second)]
    _run_all([lambda b=b: _rush(b, ids) for b in again])
    assert sum(bool(b.order_id) for b in again) == CAP - paid
    with app.app_context():
        assert _check_books(ids["campaign"], CAP) == CAP
        # The worker gives back what came too late and closes what was left open.
        _run_actions()
        assert _check_books(ids["campaign"], CAP) == CAP
        cancelled = db.session.scalars(select(Order).where(
            Order.campaign_id == ids["campaign"], Order.state == "cancelled")).all()
        assert len(cancelled) == released
        for order in cancelled:
            assert order.payment_status in ("none", "refunded"), order.payment_status
            assert order.paid_cents == order.refunded_cents
        totals = ledger.campaign_totals(ids["campaign"])["CNY"]
        assert totals["captured"] - totals["refunded"] == CAP * PRICE
        at_gateway = (db.session.scalar(select(func.sum(DummyCharge.captured_cents)))
                      - (db.session.scalar(select(func.sum(DummyRefund.amount_cents))) or 0))
        assert at_gateway == CAP * PRICE
        assert db.session.scalar(select(func.count()).select_from(PaymentAction).where(
            PaymentAction.state != "done")) == 0

    # A buyer who left the gateway's page open cannot pay once the hold is gone.
    for buyer in [b for b in won if b.plan == "abandon"][:3]:
        response = buyer.card(SUCCEEDS)
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/preorders/{buyer.order_id}")
        with app.app_context():
            order = db.session.get(Order, buyer.order_id)
            assert (order.state, order.payment_status, order.paid_cents) == (
                "cancelled", "none", 0)
            assert [p.status for p in order.payments] == ["voided"]


def _started(campaign, buyer):
    """An order and its payment started at the gateway (nobody has paid it yet)."""
    order, _created = orders.place_order(campaign.id, buyer, campaign.tiers[0].id, 1, "once")
    address = addresses.add_address(buyer, ADDRESS)
    with current_app.test_request_context():
        payment = checkout.start(order.id, buyer, f"http://fanforge.test/preorders/{order.id}",
                                 address_id=address.id)
    return order.id, payment.ref


def _post_at_once(base, deliveries):
    """POST every (body, headers) to the webhook at the same moment, one thread each."""
    barrier = threading.Barrier(len(deliveries))

    def send(body, headers):
        barrier.wait()
        return requests.post(base + "/payments/webhooks/dummy", data=body, timeout=120,
                             headers={"Content-Type": "application/json", **headers})

    return _run_all([lambda d=d: send(*d) for d in deliveries], workers=len(deliveries))


def _money_of(order_id):
    order = db.session.get(Order, order_id, populate_existing=True)
    rows = [(e.kind, e.amount_cents) for e in order.ledger]
    return order.payment_status, order.paid_cents, rows


def test_a_webhook_replayed_20_times_at_once_books_once(app, live_servers):
    with app.app_context():
        campaign = make_campaign(cap=50, charge_mode="full")
        paid_id, paid_ref = _started(campaign, make_user("replayed"))
        other_id, other_ref = _started(campaign, make_user("forged"))
        gateway = providers.get("dummy")
        paid_events, other_events = gateway.pay(paid_ref, SUCCEEDS), gateway.pay(other_ref, SUCCEEDS)
    base = _serve(app, live_servers)
    signer = DummyProvider(SECRET)

    replays = _post_at_once(base, [signer.notification(paid_events)] * 20)
    assert [r.status_code for r in replays] == [200] * 20
    assert sorted(r.json()["received"] for r in replays) == ["booked"] + ["replay"] * 19
    # The gateway telling of the same capture in ten more notifications (ids of their own).
    retold = _post_at_once(base, [signer.notification(paid_events) for _ in range(10)])
    assert [r.json()["received"] for r in retold] == ["booked"] * 10
    with app.app_context():
        assert _money_of(paid_id) == ("paid", PRICE, [("captured", PRICE)])
        assert db.session.scalar(select(func.count()).select_from(WebhookReceipt)) == 11

    body, headers = signer.notification(other_events)
    forged = [DummyProvider("whsec_someone_else").notification(other_events),
              signer.notification(other_events, timestamp=int(time.time()) - 600),
              (body.replace(b'"captured", 19900', b'"captured", 100'), headers),
              (body, {})]
    refused = _post_at_once(base, forged * 5)
    assert [r.status_code for r in refused] == [400] * 20
    assert {r.json()["error"] for r in refused} == {"The signature does not verify."}
    with app.app_context():
        assert _money_of(other_id) == ("awaiting", 0, [])
        assert _money_of(paid_id) == ("paid", PRICE, [("captured", PRICE)])
        assert db.session.scalar(select(func.count()).select_from(WebhookReceipt)) == 11
    assert _post_at_once(base, [(body, headers)])[0].json() == {"received": "booked"}
    with app.app_context():
        assert _money_of(other_id) == ("paid", PRICE, [("captured", PRICE)])


class Workers:
    """Payment worker processes (payments_worker.py) on the test's database."""

    def __init__(self, app, tmp_path):
        self.env = dict(os.environ, PYTHONPATH=str(ROOT), **{
            "FANFORGE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "FANFORGE_SECRET_KEY": app.config["SECRET_KEY"],
            "FANFORGE_QUEUE_URL": "memory://", "FANFORGE_MAIL_BACKEND": "locmem",
            # A killed worker's claim frees up after a second.
            "FANFORGE_PAYMENTS_ACTION_CLAIM_SECONDS": "1",
        })
        self.tmp_path = tmp_path
        self.processes = []

    def start(self, reply_seconds=0.0, go_file=None, slow_after=0):
        """payments_worker.py, forked warm (tests/zygote.py) as `python <script>` runs it."""
        env = {**self.env, "PAYMENTS_WORKER_REPLY_SECONDS": str(reply_seconds),
               "PAYMENTS_WORKER_SLOW_AFTER": str(slow_after)}
        if go_file:
            env["PAYMENTS_WORKER_GO_FILE"] = str(go_file)
        process = Zygote.spawn([], env, ROOT, self.tmp_path / f"payments-worker-{len(self.processes)}.log",
                               program=ROOT / "tests" / "concurrency" / "payments_worker.py")
        self.processes.append(process)
        return process

    @staticmethod
    def kill(process):
        process.kill()
        process.wait()

    def logs(self):
        return "\n".join((self.tmp_path / f"payments-worker-{i}.log").read_text(errors="replace")[-2000:]
                         for i in range(len(self.processes)))

    def stop_all(self):
        for process in self.processes:
            self.kill(process)


@pytest.fixture
def workers(app, tmp_path):
    group = Workers(app, tmp_path)
    yield group
    group.stop_all()


def _refunds(app, campaign_id):
    """(refunds made at the gateway, refunds booked in the ledger), read afresh."""
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(DummyRefund)),
                db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
                    LedgerEntry.campaign_id == campaign_id, LedgerEntry.kind == "refunded")))


def test_a_failed_campaigns_100_refunds_survive_a_killed_worker(app, workers, tmp_path):
    # The workers boot while the orders are paid: the first finds nothing to do until the
    # campaign fails; the two spares wait for their go.
    # Its replies are slow from its 51st refund on: a window no busy machine misses.
    first = workers.start(reply_seconds=2.0, slow_after=50)
    go = tmp_path / "spares-go"
    workers.start(go_file=go)
    workers.start(go_file=go)
    with app.app_context():
        campaign = make_campaign(cap=200, goal=150, per_buyer=1, charge_mode="full")
        campaign_id, gateway = campaign.id, providers.get("dummy")
        for buyer in make_fans([f"refundee{i}" for i in range(100)]):
            _order_id, ref = _started(campaign, buyer)
            webhooks.receive("dummy", *gateway.notification(gateway.pay(ref, SUCCEEDS)))
        # In a write transaction from its start, as the services write: the first worker
        # writes meanwhile, and a read transaction turned writer then fails at once on
        # SQLite (its snapshot is stale) instead of waiting its turn.
        with transaction():
            campaign = db.session.get(Campaign, campaign_id)
            campaign.starts_at, campaign.ends_at = utcnow() - timedelta(hours=2), utcnow()
        assert campaigns.settle(campaign_id) == "failed"
        assert db.session.scalar(select(func.count()).select_from(PaymentAction).where(
            PaymentAction.kind == "refund", PaymentAction.state == "pending")) == 100

    # The first worker is killed once half the refunds are made, between the gateway
    # making one and the action being marked done (the gateway's reply is slow); the two
    # spares then finish, the dead one's claim taken once it lapses.
    deadline, at_kill, seen = time.monotonic() + 60, None, 0
    while time.monotonic() < deadline and first.poll() is None:
        made, booked = _refunds(app, campaign_id)
        # A refund made since the last look and not booked yet: the reply is on its way.
        if made >= 50 and made > max(booked, seen):
            workers.kill(first)
            at_kill = _refunds(app, campaign_id)
            break
        seen = made
        time.sleep(0.002)
    assert at_kill is not None, workers.logs()
    assert at_kill[0] < 100, "the worker finished before it could be killed"
    in_flight = at_kill[0] - at_kill[1]

    go.touch()
    deadline = time.monotonic() + 60
    while _refunds(app, campaign_id)[1] < 100 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # room for a doubled refund to show up
    assert _refunds(app, campaign_id) == (100, 100), workers.logs()
    with app.app_context():
        refs = db.session.scalars(select(DummyRefund.ref)).all()
        assert len(set(refs)) == 100
        assert set(db.session.scalars(select(PaymentAction.state))) == {"done"}
        statuses = db.session.scalars(select(Order.payment_status).where(
            Order.campaign_id == campaign_id)).all()
        assert statuses == ["refunded"] * 100
        assert all(p.status == "refunded" and p.refunded_cents == PRICE
                   for p in db.session.scalars(select(Payment)))
        totals = ledger.campaign_totals(campaign_id)["CNY"]
        assert totals == {"captured": 100 * PRICE, "refunded": 100 * PRICE}
    print(f"\nkilled at {at_kill[0]} refunds made, {in_flight} made but not booked")
    assert in_flight == 1, "the kill missed the window between the gateway's refund and its booking"
