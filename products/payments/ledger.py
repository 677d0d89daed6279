"""The ledger: every money movement a provider reports, once, and what follows from it.

`record` runs in the caller's transaction. Each event becomes a row under the unique
(provider, key), so a movement heard twice (a replayed webhook, an API reply and then its
webhook, a lookup) is one row. The payment's and the order's figures are then derived
again from all of their rows: sums, not steps, so events may come in any order.

Locks: the order row first, then its payment (FOR UPDATE on PostgreSQL; SQLite's write
transaction holds the whole database), so two movements of one order are derived one
after the other, each seeing the other's row.
"""

import logging

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import lazyload

from community.kernel.database import insert_ignore, utcnow
from community.kernel.extensions import db

from .. import signals
from ..campaigns.models import Campaign
from ..orders.models import Order
from . import actions
from .models import LedgerEntry, Payment

log = logging.getLogger(__name__)
_MONEY_KINDS = ("authorised", "captured")


def record(provider, events, source):
    """Add `events` (base.Event) to the ledger; returns the orders whose money changed."""
    touched = {}  # order id -> (order, its payments that took money just now)
    heard = []  # (order, event) of each movement booked, for the listeners
    for event in events:
        locked = _locked(provider, event.ref)
        if locked is None:
            # Not a payment of ours, or one whose ref is not stored yet: the reconcile
            # job asks the provider about every open payment, so nothing is lost.
            log.warning("payment event %s for unknown %s payment %s", event.key, provider, event.ref)
            continue
        order, payment = locked
        added = insert_ignore(
            LedgerEntry, payment_id=payment.id, order_id=order.id, campaign_id=order.campaign_id,
            provider=provider, key=event.key[:160], kind=event.kind,
            amount_cents=event.amount_cents, currency=event.currency.upper(),
            raw_status=event.raw_status[:64], source=source, created_at=utcnow())
        if added:
            _derive_payment(payment)
            took = touched.setdefault(order.id, (order, set()))[1]
            if event.kind in _MONEY_KINDS:
                took.add(payment.id)
            heard.append((order, event))
    for order, took in touched.values():
        payments = derive_order(order)
        for payment in payments:
            if payment.id in took:
                _refuse_unwanted(order, payment, payments, took)
    for order, event in heard:
        signals.payment_recorded.send(order, kind=event.kind, amount_cents=event.amount_cents,
                                      currency=event.currency.upper())
    return [order for order, _took in touched.values()]


# Built once, run with parameters; rows alone, without the relationships' joins.
_PAYMENT_OF_REF = select(Payment.id, Payment.order_id).where(
    Payment.provider == bindparam("provider"), Payment.ref == bindparam("ref"))
_LOCK_ORDER = (select(Order).where(Order.id == bindparam("id")).with_for_update(of=Order)
               .options(lazyload("*")).execution_options(populate_existing=True))
_LOCK_PAYMENT = (select(Payment).where(Payment.id == bindparam("id")).with_for_update(of=Payment)
                 .options(lazyload("*")).execution_options(populate_existing=True))
_PAYMENTS_OF_ORDER = (select(Payment).where(Payment.order_id == bindparam("order_id"))
                      .order_by(Payment.id).options(lazyload("*"))
                      .execution_options(populate_existing=True))
_TERMS = select(Campaign.charge_mode, Campaign.state).where(Campaign.id == bindparam("id"))


def _locked(provider, ref):
    """(order, payment) of the provider's payment `ref`, both locked, or None."""
    found = db.session.execute(_PAYMENT_OF_REF, {"provider": provider, "ref": ref}).first()
    if found is None:
        return None
    order = db.session.execute(_LOCK_ORDER, {"id": found.order_id}).scalar_one()
    return order, db.session.execute(_LOCK_PAYMENT, {"id": found.id}).scalar_one()


def _derive_payment(payment):
    rows = db.session.execute(select(LedgerEntry.kind, LedgerEntry.amount_cents,
                                     LedgerEntry.currency).where(LedgerEntry.payment_id == payment.id)
                              .order_by(LedgerEntry.id)).all()
    total = {kind: 0 for kind in ("authorised", "captured", "refunded")}
    seen = set()
    for row in rows:
        seen.add(row.kind)
        if row.kind in total:
            total[row.kind] += row.amount_cents
        if row.kind in _MONEY_KINDS and (row.currency != payment.currency
                                         or row.amount_cents != payment.amount_cents):
            payment.flag = (f"{row.kind} {row.amount_cents} {row.currency}, asked "
                            f"{payment.amount_cents} {payment.currency}")
    payment.authorised_cents = total["authorised"]
    payment.captured_cents = total["captured"]
    payment.refunded_cents = min(total["refunded"], total["captured"])
    payment.status = _status(payment, seen, rows[-1].kind if rows else None)
    payment.updated_at = utcnow()


def _status(payment, seen, last):
    if payment.captured_cents:
        return "refunded" if payment.refunded_cents >= payment.captured_cents else "captured"
    if "voided" in seen:
        return "voided"
    if payment.authorised_cents:
        return "authorised"
    # Before any money moved, the latest word stands: declined, or waiting for the buyer.
    return {"failed": "failed", "action": "action"}.get(last, payment.status)


def derive_order(order):
    """The order's payment status and sums from its payments (flagged ones never pay it).
    Returns the order's payments."""
    db.session.flush()
    payments = db.session.scalars(_PAYMENTS_OF_ORDER, {"order_id": order.id}).all()
    charge_mode, campaign_state = db.session.execute(_TERMS, {"id": order.campaign_id}).one()
    good = [p for p in payments if p.flag is None]
    captured = sum(p.captured_cents for p in good)
    refunded = sum(p.refunded_cents for p in payments)
    if any(p.flag for p in payments) and not order.flag:
        order.flag = next(p.flag for p in payments if p.flag)
    order.paid_cents = sum(p.captured_cents for p in payments)
    order.refunded_cents = refunded
    if charge_mode == "none":
        return payments
    if captured and refunded >= captured:
        status = "refunded"
    elif captured >= order.total_cents:
        status = "paid"
    elif any(p.purpose == "deposit" and p.captured_cents for p in good):
        status = "deposit_paid"
    elif any(p.status == "authorised" for p in good):
        status = "authorised"
    elif order.state == "cancelled":
        status = "none"  # nothing was taken, and nothing is owed any more
    else:
        status = "awaiting"
    order.payment_status = status
    if status == "paid" and order.state == "reserved" and campaign_state == "succeeded":
        # The balance of a deposit order came in after success: the order is confirmed.
        order.state, order.confirmed_at = "confirmed", utcnow()
    return payments


def _refuse_unwanted(order, payment, payments, took):
    """Money the order did not want goes back: a payment for an order already cancelled
    (it came after the hold ran out), or a second payment for what another already paid
    (the one that took money first keeps it; of two in one notification, the older)."""
    if order.state == "cancelled":
        reason = "order_cancelled"
    elif any(other.id != payment.id and other.purpose == payment.purpose and other.flag is None
             and (other.captured_cents > 0 or other.status == "authorised")
             and (other.id not in took or other.id < payment.id) for other in payments):
        reason = "duplicate_payment"
    else:
        return
    actions.give_back(payment, reason)


def campaign_totals(campaign_id):
    """Captured and refunded per currency for a campaign, from the ledger alone."""
    rows = db.session.execute(
        select(LedgerEntry.currency, LedgerEntry.kind, func.sum(LedgerEntry.amount_cents))
        .where(LedgerEntry.campaign_id == campaign_id, LedgerEntry.kind.in_(("captured", "refunded")))
        .group_by(LedgerEntry.currency, LedgerEntry.kind)).all()
    totals = {}
    for currency, kind, amount in rows:
        totals.setdefault(currency, {"captured": 0, "refunded": 0})[kind] = int(amount)
    return totals

