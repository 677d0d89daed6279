"""Money follows the orders: what a campaign's outcome or a cancellation means for payments.

These listeners run inside the transaction that settles or cancels, so the actions they
queue (actions.py) commit with the decision or not at all; the worker then moves the money.

- A campaign fails or is cancelled: every payment of its orders is given back (refunds,
  voids, open payments closed).
- A campaign succeeds: held authorisations are captured; deposit orders get their balance
  deadline (PAYMENTS: balance_days after success); unpaid orders were cancelled by the
  settling and their open payments are closed.
- An order is cancelled (by the buyer, or its hold or balance deadline ran out): its
  payments are given back, except a deposit the campaign's terms keep.
"""

from datetime import timedelta

from sqlalchemy import select, update

from community.kernel.database import utcnow
from community.kernel.extensions import db

from .. import signals
from ..orders.models import Order
from . import actions, mail
from .models import Payment

# Reasons a deposit is kept when the campaign's terms say it is not refundable.
_DEPOSIT_FORFEITS = ("buyer", "balance_unpaid")


def _payments(*where):
    return db.session.scalars(select(Payment).join(Order, Order.id == Payment.order_id)
                              .where(*where).order_by(Payment.id)).all()


def on_order_cancelled(order, **_kw):
    campaign = order.campaign
    keep = (campaign.charge_mode == "deposit" and not campaign.deposit_refundable
            and order.cancel_reason in _DEPOSIT_FORFEITS)
    for payment in _payments(Payment.order_id == order.id):
        actions.give_back(payment, order.cancel_reason or "cancelled", keep_deposit=keep)


def on_campaign_settled(campaign, outcome, **_kw):
    for payment in _payments(Order.campaign_id == campaign.id, Order.state == "cancelled"):
        actions.give_back(payment, f"campaign_{outcome}")
    if outcome != "succeeded":
        return
    if campaign.charge_mode == "authorise":
        for payment in _payments(Order.campaign_id == campaign.id, Order.state == "confirmed",
                                 Payment.status == "authorised", Payment.flag.is_(None)):
            actions.queue(payment, "capture", payment.authorised_cents, "campaign_succeeded",
                          key=f"settle-capture-{payment.id}")
    elif campaign.charge_mode == "deposit":
        db.session.execute(update(Order).where(
            Order.campaign_id == campaign.id, Order.state == "reserved",
            Order.payment_status == "deposit_paid").values(
            balance_due_by=utcnow() + timedelta(days=campaign.balance_days)))
        mail.queue_opened(campaign.id)


def on_campaign_cancelled(campaign, **_kw):
    for payment in _payments(Order.campaign_id == campaign.id):
        actions.give_back(payment, "campaign_cancelled")


def init_app(_app):
    signals.order_cancelled.connect(on_order_cancelled, weak=False)
    signals.campaign_settled.connect(on_campaign_settled, weak=False)
    signals.campaign_cancelled.connect(on_campaign_cancelled, weak=False)
