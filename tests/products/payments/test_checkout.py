"""A buyer pays for a pre-order with the dummy gateway, as in a browser: the order page,
the gateway's card form, back to the order; and each way a campaign charges."""

from datetime import timedelta

from helpers import make_user
from paying import (
    DECLINED,
    NEEDS_ACTION,
    charging_campaign,
    end_campaign,
    order,
    pay,
    pay_directly,
    payments_of,
    place,
    run_actions,
)
from sqlalchemy import select

from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.mail import sender
from products.campaigns.models import Campaign
from products.orders import service as orders
from products.orders.models import Order
from products.payments import ledger, reservations
from products.payments import mail as payment_mail
from products.payments.models import Payment


def test_pay_in_full_from_the_order_page(app, client, auth):
    with app.app_context():
        campaign = charging_campaign("full")
        buyer = make_user("payer")
        placed = place(campaign, buyer, quantity=2)
        assert placed.payment_status == "awaiting"
        held = placed.pay_by - utcnow()
        assert timedelta(minutes=14) < held <= timedelta(minutes=15)
        order_id = placed.id
    auth.login("payer")
    page = client.get(f"/preorders/{order_id}").get_data(as_text=True)
    assert 'data-testid="pay-box"' in page and "398.00" in page  # 2 × 199.00
    assert "you get it all back" in page  # the terms, before paying
    response = pay(client, order_id)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/preorders/{order_id}")
    page = client.get(f"/preorders/{order_id}").get_data(as_text=True)
    assert 'data-testid="pay-box"' not in page and 'data-testid="step-captured"' in page
    with app.app_context():
        paid = order(order_id)
        assert (paid.payment_status, paid.paid_cents, paid.state) == ("paid", 39800, "reserved")
        assert [(e.kind, e.amount_cents, e.source) for e in paid.ledger] == [
            ("captured", 39800, "webhook")]
        assert end_campaign(campaign.id) == "failed"  # goal 10, one buyer: refunds follow
        assert run_actions() == 1
        refunded = order(order_id)
        assert (refunded.state, refunded.payment_status, refunded.refunded_cents) == (
            "cancelled", "refunded", 39800)


def test_a_declined_card_can_be_followed_by_a_good_one(app, client, auth):
    with app.app_context():
        campaign = charging_campaign("full")
        order_id = place(campaign, make_user("unlucky")).id
    auth.login("unlucky")
    response = pay(client, order_id, card=DECLINED)
    assert response.status_code == 302 and "/payments/dummy/checkout/" in response.headers["Location"]
    with app.app_context():
        assert order(order_id).payment_status == "awaiting"
        assert [p.status for p in payments_of(order_id)] == ["failed"]
    pay(client, order_id)  # the same payment, another card
    with app.app_context():
        assert order(order_id).payment_status == "paid"
        assert [p.status for p in payments_of(order_id)] == ["captured"]


def test_a_card_that_needs_confirming(app, client, auth):
    with app.app_context():
        campaign = charging_campaign("full")
        first, second = place(campaign, make_user("sca")).id, place(campaign, make_user("sca2")).id
    auth.login("sca")
    pay(client, first, card=NEEDS_ACTION, approve=True)
    auth.logout()
    auth.login("sca2")
    pay(client, second, card=NEEDS_ACTION, approve=False)
    with app.app_context():
        assert order(first).payment_status == "paid"
        assert order(second).payment_status == "awaiting"
        assert payments_of(second)[0].status == "failed"


def test_authorise_now_charge_on_success(app, client, auth):
    with app.app_context():
        campaign = charging_campaign("authorise", goal=1)
        order_id = place(campaign, make_user("holder")).id
    auth.login("holder")
    page = client.get(f"/preorders/{order_id}").get_data(as_text=True)
    assert "charged only if the campaign reaches its goal" in page
    pay(client, order_id)
    with app.app_context():
        assert (order(order_id).payment_status, order(order_id).paid_cents) == ("authorised", 0)
        assert end_campaign(campaign.id) == "succeeded"
        assert order(order_id).state == "confirmed"
        assert run_actions() == 1  # the capture
        captured = order(order_id)
        assert (captured.payment_status, captured.paid_cents) == ("paid", 19900)
        kinds = [e.kind for e in captured.ledger]
        assert kinds == ["authorised", "captured"]


def test_deposit_then_balance(app, client, auth):
    with app.app_context():
        campaign = charging_campaign("deposit", goal=1, deposit_percent=15)
        order_id = place(campaign, make_user("tmall")).id
    auth.login("tmall")
    page = client.get(f"/preorders/{order_id}").get_data(as_text=True)
    assert "29.85" in page and "15% deposit" in page  # 15% of 199.00
    pay(client, order_id)
    with app.app_context():
        assert (order(order_id).payment_status, order(order_id).paid_cents) == ("deposit_paid", 2985)
        assert end_campaign(campaign.id) == "succeeded"
        waiting = order(order_id)
        assert waiting.state == "reserved" and waiting.balance_due_by > utcnow() + timedelta(days=6)
    page = client.get(f"/preorders/{order_id}").get_data(as_text=True)
    assert "Pay the balance" in page and "169.15" in page
    pay(client, order_id)
    with app.app_context():
        done = order(order_id)
        assert (done.payment_status, done.state, done.paid_cents) == ("paid", "confirmed", 19900)
        assert [p.purpose for p in payments_of(order_id)] == ["deposit", "balance"]


def test_an_unpaid_balance_cancels_and_the_terms_decide_the_deposit(app):
    with app.app_context():
        kept = charging_campaign("deposit", goal=1, deposit_refundable=False)
        refunded = charging_campaign("deposit", goal=1)
        orders = {}
        for name, campaign in (("kept", kept), ("refunded", refunded)):
            placed = place(campaign, make_user(f"late-{name}"))
            pay_directly(placed)
            assert end_campaign(campaign.id) == "succeeded"
            orders[name] = placed.id
        for order_id in orders.values():
            order(order_id).balance_due_by = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert reservations.expire_unpaid() == 2
        run_actions()
        assert (order(orders["kept"]).state, order(orders["kept"]).refunded_cents) == ("cancelled", 0)
        late = order(orders["refunded"])
        assert (late.state, late.cancel_reason, late.refunded_cents) == ("cancelled", "balance_unpaid", 3980)




def test_another_buyers_order_cannot_be_paid_or_seen(app, client, auth):
    with app.app_context():
        campaign = charging_campaign("full")
        order_id = place(campaign, make_user("owner")).id
        make_user("nosy")
    auth.login("nosy")
    assert client.get(f"/preorders/{order_id}").status_code == 404
    assert client.post(f"/preorders/{order_id}/pay").status_code == 404


def test_ledger_and_orders_reconcile(app):
    """Captured minus refunded equals the confirmed orders' total, per campaign and currency:
    a campaign that succeeded (one order cancelled and refunded, one never paid), one that
    failed, one that authorised and captured, in two currencies."""
    with app.app_context():
        won = charging_campaign("full", goal=2)
        lost = charging_campaign("full", goal=5)
        held = charging_campaign("authorise", goal=1, tiers=[
            {"name": "Dollar", "price_cents": 4900, "currency": "USD"}])
        for campaign in (won, lost, held):
            for n, placed in enumerate(place(campaign, make_user()) for _ in range(4)):
                if n < 3:
                    pay_directly(placed)
        cancelled = db.session.scalars(select(Order).where(
            Order.campaign_id == won.id, Order.payment_status == "paid")).first()
        orders.cancel_order(cancelled.id, cancelled.buyer)
        for campaign in (won, lost, held):
            end_campaign(campaign.id)
        run_actions()
        outcomes = {c.id: db.session.get(Campaign, c.id).state for c in (won, lost, held)}
        assert outcomes == {won.id: "succeeded", lost.id: "failed", held.id: "succeeded"}
        for campaign in (won, lost, held):
            confirmed = db.session.scalars(select(Order).where(
                Order.campaign_id == campaign.id, Order.state == "confirmed")).all()
            [(currency, totals)] = ledger.campaign_totals(campaign.id).items()
            assert totals["captured"] - totals["refunded"] == sum(o.total_cents for o in confirmed)
            assert {o.currency for o in confirmed} <= {currency}
        assert len(confirmed) == 3 and currency == "USD"


def test_a_wechat_pay_code_is_shown_to_its_buyer_only(app, client, auth):
    with app.app_context():
        campaign = charging_campaign("full")
        placed = place(campaign, make_user("wechatter"))
        make_user("other")
        payment = Payment(order_id=placed.id, provider="wechatpay", purpose="full",
                          amount_cents=19900, currency="CNY", ref="ff1x0",
                          client_secret="weixin://wxpay/bizpayurl?pr=AbCdEf")
        db.session.add(payment)
        db.session.commit()
        payment_id = payment.id
    auth.login("other")
    assert client.get(f"/payments/{payment_id}/scan").status_code == 404
    auth.logout()
    auth.login("wechatter")
    page = client.get(f"/payments/{payment_id}/scan").get_data(as_text=True)
    qr = page.split('data-testid="qr"')[1].split("</figure>")[0]
    assert "<svg" in qr and "<path" in qr and "script" not in qr


def test_deposit_buyers_are_mailed_when_the_balance_opens_and_before_it_is_due(ctx, smtp):
    campaign = charging_campaign("deposit", goal=1, balance_days=7)
    placed = place(campaign, make_user("remindme"))
    pay_directly(placed)
    end_campaign(campaign.id)
    due_by = order(placed.id).balance_due_by
    assert payment_mail.queue_reminders() == 0  # a week away: not yet
    assert payment_mail.queue_reminders(now=due_by - timedelta(days=1)) == 1
    assert payment_mail.queue_reminders(now=due_by - timedelta(hours=1)) == 0  # once
    sender.send_due()
    # With the order placed and the deposit received (products/notices), four mails.
    assert smtp.wait_for(4), smtp.messages
    balance = [m for m in smtp.messages if "Pay the balance" in m["Subject"]]
    opened, reminder = sorted(balance, key=lambda m: "reminder" in str(m.get_body(("plain",))))
    for message in (opened, reminder):
        text = message.get_body(("plain",)).get_content()
        assert message["To"] == "remindme@example.com" and "Pay the balance" in message["Subject"]
        assert "159.20" in text and f"http://fanforge.test/preorders/{placed.id}" in text
    assert "reached its goal" in opened.get_body(("plain",)).get_content()
    assert "reminder" in reminder.get_body(("plain",)).get_content()
