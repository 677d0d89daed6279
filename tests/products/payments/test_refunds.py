
"""Refunds: a buyer cancelling while the campaign is live, staff refunding in part with a
logged reason, failures staff can see and retry, and the reconcile job."""

import pytest
from helpers import make_user
from paying import charging_campaign, order, pay_directly, payments_of, place, run_actions, start
from sqlalchemy import select

from community.audit.models import AuditEntry
from community.forum.models import ModerationAction
from community.kernel.errors import ValidationError
from community.kernel.extensions import db
from products.orders import service as orders
from products.payments import providers, refunds, reservations
from products.payments.models import PaymentAction
from products.payments.providers import dummy
from products.payments.providers.base import ProviderError


def test_a_buyer_cancels_a_paid_order_and_gets_the_money_back(app, client, auth):
    with app.app_context():
        campaign = charging_campaign("full")
        placed = place(campaign, make_user("changed-mind"), quantity=2)
        pay_directly(placed)
    auth.login("changed-mind")
    client.post(f"/preorders/{placed.id}/cancel")
    with app.app_context():
        run_actions()
        done = order(placed.id)
        assert (done.state, done.payment_status, done.refunded_cents) == ("cancelled", "refunded", 39800)
        assert db.session.get(type(campaign), campaign.id).reserved_units == 0
    page = client.get(f"/preorders/{placed.id}").get_data(as_text=True)
    assert 'data-testid="step-refunded"' in page and "Cancelled by you" in page


def test_a_kept_deposit_is_not_refunded_when_the_buyer_cancels(app):
    with app.app_context():
        campaign = charging_campaign("deposit", deposit_refundable=False)
        placed = place(campaign, make_user())
        pay_directly(placed)
        orders.cancel_order(placed.id, placed.buyer)
        assert run_actions() == 0
        assert (order(placed.id).state, order(placed.id).refunded_cents) == ("cancelled", 0)


def test_staff_refund_part_of_an_order_with_a_logged_reason(app, client, auth):
    with app.app_context():
        campaign = charging_campaign("full")
        placed = place(campaign, make_user(), quantity=2)
        pay_directly(placed)
        make_user("cashier", role="staff")
        order_id = placed.id
    auth.login("cashier")
    page = client.get(f"/preorders/{order_id}").get_data(as_text=True)
    assert 'data-testid="refund-form"' in page
    form = {"amount": "50.00", "reason": "Scratched box", "currency": "CNY", "request_key": "r1"}
    client.post(f"/staff/preorders/{order_id}/refund", data=form)
    client.post(f"/staff/preorders/{order_id}/refund", data=form)  # a double submit
    too_much = client.post(f"/staff/preorders/{order_id}/refund", follow_redirects=True,
                           data={**form, "amount": "999.00", "request_key": "r2"})
    assert "more than is left to refund" in too_much.get_data(as_text=True)
    with app.app_context():
        assert run_actions() == 1
        refunded = order(order_id)
        assert (refunded.refunded_cents, refunded.payment_status) == (5000, "paid")
        logged = db.session.scalars(select(ModerationAction).where(
            ModerationAction.action == "refund")).one()
        assert logged.target_id == order_id and "Scratched box" in logged.reason
        audited = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "refund")).one()
        assert (audited.target, audited.actor.username) == (f"order:{order_id}", "cashier")
        assert audited.detail == "5000 CNY: Scratched box"


def test_refunds_still_waiting_count_against_what_is_left(app):
    with app.app_context():
        campaign = charging_campaign("full")
        placed = place(campaign, make_user())
        pay_directly(placed)
        staff = make_user(role="staff")
        refunds.refund_order(placed.id, staff, 8000, "Part one")
        refunds.refund_order(placed.id, staff, 8000, "Part two")  # both still waiting
        with pytest.raises(ValidationError):
            refunds.refund_order(placed.id, staff, 8000, "One too many")  # 19900 - 16000 left
        assert run_actions() == 2
        assert order(placed.id).refunded_cents == 16000


def test_fans_cannot_refund(app, client, auth):
    with app.app_context():
        campaign = charging_campaign("full")
        placed = place(campaign, make_user("greedy"))
        pay_directly(placed)
    auth.login("greedy")
    response = client.post(f"/staff/preorders/{placed.id}/refund",
                           data={"amount": "199.00", "reason": "mine", "currency": "CNY"})
    assert response.status_code in (403, 404)
    with app.app_context():
        assert db.session.scalars(select(PaymentAction)).all() == []


def test_a_refund_the_provider_refuses_waits_for_staff_who_can_retry(app, client, auth, monkeypatch):
    with app.app_context():
        campaign = charging_campaign("full")
        placed = place(campaign, make_user())
        pay_directly(placed)
        make_user("ops", role="staff")
        order_id = placed.id
        broken = ProviderError("gateway down", retryable=True)

        def refuse(*_args, **_kwargs):
            raise broken
        with monkeypatch.context() as patch:
            patch.setattr(dummy.DummyProvider, "refund", refuse)
            app.config["PAYMENTS_ACTION_RETRY_DELAYS"] = []  # give up at once
            orders.cancel_order(placed.id, placed.buyer)
            run_actions()
        assert db.session.scalars(select(PaymentAction)).one().state == "failed"
    auth.login("ops")
    jobs = client.get("/staff/jobs").get_data(as_text=True)
    assert 'data-testid="failed-payment-action"' in jobs and "gateway down" in jobs
    client.post("/staff/payments/actions/retry")
    with app.app_context():
        assert run_actions() == 1
        assert order(order_id).payment_status == "refunded"


def test_reconcile_books_what_no_webhook_told(app):
    with app.app_context():
        campaign = charging_campaign("full")
        placed = place(campaign, make_user())
        payment = start(placed)
        providers.get("dummy").pay(payment.ref, dummy.SUCCEEDS)  # the webhook never came
        assert reservations.reconcile() == 0  # not quiet long enough yet
        app.config["PAYMENTS_RECONCILE_AFTER_MINUTES"] = 0
        assert reservations.reconcile() == 1
        assert order(placed.id).payment_status == "paid"
        assert [e.source for e in order(placed.id).ledger] == ["lookup"]
        assert reservations.reconcile() == 0  # asked again: nothing new
        assert payments_of(placed.id)[0].status == "captured"
