"""Webhooks: verified with the provider's own check, booked once, safe in any order; money
that does not match the order is flagged, never counted; unwanted money goes back."""

import time

from helpers import make_user
from paying import (
    SUCCEEDS,
    charging_campaign,
    order,
    pay_directly,
    payments_of,
    place,
    run_actions,
    start,
)
from querycount import counting
from sqlalchemy import func, select

from community.kernel.extensions import db
from community.mail.models import MailOutbox
from community.notifications.models import Notification
from products.payments import checkout, providers, reservations, webhooks
from products.payments.models import LedgerEntry, Payment, PaymentAction, WebhookReceipt
from products.payments.providers.base import Event, PaymentRequest
from products.payments.providers.dummy import SIGNATURE_HEADER


def _started(app):
    campaign = charging_campaign("full")
    placed = place(campaign, make_user())
    payment = start(placed)
    return placed, payment


def _captured(payment, amount=None, currency="CNY"):
    return Event(f"capture:{payment.ref}", payment.ref, "captured",
                 payment.amount_cents if amount is None else amount, currency, "succeeded")


def _post(client, body, headers):
    return client.post("/payments/webhooks/dummy", data=body,
                       headers={**headers, "Content-Type": "application/json"})


def test_a_signed_webhook_is_booked_once_and_replays_change_nothing(app, client):
    with app.app_context():
        placed, payment = _started(app)
        body, headers = providers.get("dummy").notification([_captured(payment)])
    assert _post(client, body, headers).get_json() == {"received": "booked"}
    for _ in range(3):
        assert _post(client, body, headers).get_json() == {"received": "replay"}
    with app.app_context():
        assert order(placed.id).payment_status == "paid"
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
        assert db.session.scalar(select(func.count()).select_from(WebhookReceipt)) == 1


def test_forged_stale_or_unsigned_webhooks_get_400_and_change_nothing(app, client):
    with app.app_context():
        placed, payment = _started(app)
        gateway = providers.get("dummy")
        body, headers = gateway.notification([_captured(payment)])
        stale_body, stale = gateway.notification([_captured(payment)], timestamp=int(time.time()) - 600)
    forged = {SIGNATURE_HEADER: headers[SIGNATURE_HEADER][:-4] + "0000"}
    tampered = body.replace(b'"captured"', b'"refunded"')
    for sent, sent_headers in ((body, forged), (tampered, headers), (stale_body, stale), (body, {})):
        response = _post(client, sent, sent_headers)
        assert response.status_code == 400 and "error" in response.get_json()
    assert client.post("/payments/webhooks/nobody", data=body).status_code == 404
    with app.app_context():
        assert order(placed.id).payment_status == "awaiting"
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_events_out_of_order_end_in_the_same_state(app):
    with app.app_context():
        placed, payment = _started(app)
        gateway = providers.get("dummy")
        refund = Event("refund:re_1", payment.ref, "refunded", 5000, "CNY", "succeeded")
        webhooks.receive("dummy", *gateway.notification([refund]))  # the refund first
        webhooks.receive("dummy", *gateway.notification([_captured(payment)]))
        done = order(placed.id)
        assert (done.paid_cents, done.refunded_cents, done.payment_status) == (19900, 5000, "paid")
        assert payments_of(placed.id)[0].status == "captured"


def test_an_amount_or_currency_that_does_not_match_is_flagged_not_paid(app, client):
    with app.app_context():
        placed, payment = _started(app)
        other, other_payment = _started(app)
        gateway = providers.get("dummy")
        short = gateway.notification([_captured(payment, amount=100)])
        dollars = gateway.notification([_captured(other_payment, currency="USD")])
        order_ids = (placed.id, other.id)
    assert _post(client, *short).status_code == 200
    assert _post(client, *dollars).status_code == 200
    with app.app_context():
        for order_id in order_ids:
            flagged = order(order_id)
            assert flagged.payment_status == "awaiting" and flagged.flag
            assert checkout.due_now(flagged) is None  # staff look first; no second charge


def _actions(payment_id):
    return db.session.scalars(select(PaymentAction).where(PaymentAction.payment_id == payment_id)
                              .order_by(PaymentAction.id)).all()


def test_a_second_payment_for_the_same_order_is_refunded(app):
    with app.app_context():
        campaign = charging_campaign("full")
        placed = place(campaign, make_user())
        first = pay_directly(placed)
        # A second payment for the same order (another tab, another device), paid too.
        gateway = providers.get("dummy")
        second = Payment(order_id=placed.id, provider="dummy", purpose="full",
                         amount_cents=first.amount_cents, currency="CNY")
        db.session.add(second)
        db.session.commit()
        with app.test_request_context():
            created = gateway.create(PaymentRequest(second.id, placed.id, second.amount_cents, "CNY",
                                                    True, "again", "http://fanforge.test/b", "tab-2"))
        second.ref = created.ref
        db.session.commit()
        webhooks.receive("dummy", *gateway.notification(gateway.pay(created.ref, SUCCEEDS)))
        assert [(a.kind, a.amount_cents, a.reason) for a in _actions(second.id)] == [
            ("refund", 19900, "duplicate_payment")]
        assert _actions(first.id) == []
        run_actions()
        paid = order(placed.id)
        assert (paid.payment_status, paid.paid_cents, paid.refunded_cents) == ("paid", 39800, 19900)


def test_a_payment_after_the_hold_ran_out_is_given_back(app):
    with app.app_context():
        campaign = charging_campaign("full")
        placed = place(campaign, make_user())
        payment = start(placed)
        gateway = providers.get("dummy")
        paid_at_the_gateway = gateway.pay(payment.ref, SUCCEEDS)  # its webhook is late
        assert reservations.expire_unpaid(now=placed.pay_by) == 1
        assert order(placed.id).state == "cancelled"
        assert db.session.get(type(campaign), campaign.id).reserved_units == 0  # back on sale
        webhooks.receive("dummy", *gateway.notification(paid_at_the_gateway))
        run_actions()
        late = order(placed.id)
        assert (late.state, late.payment_status, late.refunded_cents) == ("cancelled", "refunded", 19900)
        assert [e.kind for e in late.ledger] == ["captured", "refunded"]


def test_the_buyer_is_told_and_mailed_once(app, client):
    with app.app_context():
        placed, payment = _started(app)
        body, headers = providers.get("dummy").notification([_captured(payment)])
        product = placed.campaign.product.name
    assert _post(client, body, headers).get_json() == {"received": "booked"}
    assert _post(client, body, headers).get_json() == {"received": "replay"}
    with app.app_context():
        [note] = db.session.scalars(select(Notification).where(
            Notification.user_id == placed.buyer_id, Notification.kind == "payment_received"))
        assert (note.target_type, note.target_id, note.title, note.detail) == (
            "order", placed.id, product, "19900 CNY")
        mailed = db.session.scalars(select(MailOutbox.user_id).where(
            MailOutbox.kind == "notification", MailOutbox.ref_id == note.id)).all()
        assert mailed == [placed.buyer_id]


def test_a_webhook_runs_a_fixed_handful_of_statements(app, client):
    """The receipt, the order and payment locked in one read, the ledger row, the payment's
    rows and figures, the order's payments and figures, the product's name, the notice and
    its mail: 10, and the page cache's look at the two rows updated (kernel/dependencies)."""
    with app.app_context():
        _placed, payment = _started(app)
        body, headers = providers.get("dummy").notification([_captured(payment)])
    with counting(app) as statements:
        assert _post(client, body, headers).get_json() == {"received": "booked"}
    assert len(statements) <= 12, "\n\n".join(statements)
