"""The ledger: every money movement a provider reports, once, and what follows from it.

`record` runs in the caller's transaction. Each event becomes a row under the unique
(provider, key), so a movement heard twice (a replayed webhook, an API reply and then its
webhook, a lookup) is one row. The payment's and the order's figures are then derived
again from all of their rows: sums, not steps, so events may come in any order.

Locks: the order row first, then its payment (FOR UPDATE on PostgreSQL; SQLite's write
transaction holds the whole database), so two movements of one order are derived one
after the other, each seeing the other's row.

Most of a webhook's work is here, so the statements are built once and rows are read and
written with Core (compiled.rows_of, database.write), not as ORM objects, whose loading
and flushing cost more Python than SQLite takes to answer. Objects the session holds
already (checkout's payment) are shown the new figures (sync_loaded).
"""

import logging
from typing import NamedTuple

from sqlalchemy import bindparam, func, select, update

from community.kernel.compiled import rows_of
from community.kernel.database import insert_ignore, sync_loaded, utcnow, write
from community.kernel.extensions import db

from .. import signals
from ..campaigns.models import Campaign
from ..orders.models import Order
from . import actions
from .models import LedgerEntry, Payment

log = logging.getLogger(__name__)
_MONEY_KINDS = ("authorised", "captured")


class PaymentRow(NamedTuple):
    id: int
    purpose: str
    amount_cents: int
    currency: str
    status: str
    ref: str | None
    flag: str | None
    authorised_cents: int
    captured_cents: int
    refunded_cents: int


class LockedOrder(NamedTuple):
    """The order of a payment event as locked, with its campaign's terms."""
    id: int
    campaign_id: int
    buyer_id: int
    state: str
    payment_status: str
    flag: str | None
    paid_cents: int
    refunded_cents: int
    total_cents: int
    charge_mode: str
    campaign_state: str


_PAYMENT_COLUMNS = [getattr(Payment, name) for name in PaymentRow._fields]

# Built once, run with parameters. The order and the payment of a provider's ref, locked
# in one statement (in the order named: the order, then the payment), with the
# campaign's terms.
_LOCK = (
    select(Order.id, Order.campaign_id, Order.buyer_id, Order.state, Order.payment_status,
           Order.flag, Order.paid_cents, Order.refunded_cents,
           Order.unit_price_cents * Order.quantity, Campaign.charge_mode, Campaign.state,
           *_PAYMENT_COLUMNS)
    .select_from(Order).join(Payment, Payment.order_id == Order.id)
    .join(Campaign, Campaign.id == Order.campaign_id)
    .where(Payment.provider == bindparam("provider"), Payment.ref == bindparam("ref"))
    .with_for_update(of=(Order, Payment)))
_SPLIT = len(LockedOrder._fields)
_PAYMENTS_OF_ORDER = (select(*_PAYMENT_COLUMNS).where(Payment.order_id == bindparam("order_id"))
                      .order_by(Payment.id))
_ROWS_OF_PAYMENT = (select(LedgerEntry.kind, LedgerEntry.amount_cents, LedgerEntry.currency)
                    .where(LedgerEntry.payment_id == bindparam("payment_id"))
                    .order_by(LedgerEntry.id))


def _setter(model, names):
    """UPDATE model SET name = :name, ... WHERE id = :row_id, on the table."""
    table = model.__table__
    return update(table).where(table.c.id == bindparam("row_id")).values(
        {name: bindparam(name, type_=table.c[name].type) for name in names})


_SET_PAYMENT = _setter(Payment, ("flag", "authorised_cents", "captured_cents", "refunded_cents",
                                  "status", "updated_at"))
_SET_ORDER = _setter(Order, ("flag", "paid_cents", "refunded_cents", "payment_status", "state"))
_CONFIRM_ORDER = _setter(Order, ("flag", "paid_cents", "refunded_cents", "payment_status", "state",
                                 "confirmed_at"))


def record(provider, events, source):
    """Add `events` (base.Event) to the ledger; returns the ids of the orders whose
    money changed."""
    db.session.flush()  # a payment's ref the caller has just set is found by it
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
    return list(touched)


def _locked(provider, ref):
    """(order, payment) of the provider's payment `ref`, both locked, or None."""
    found = rows_of(_LOCK, provider=provider, ref=ref)
    if not found:
        return None
    return LockedOrder._make(found[0][:_SPLIT]), PaymentRow._make(found[0][_SPLIT:])


def _store(model, setter, row_id, figures):
    """Write derived figures; the session's copy of the row (if any) shows them."""
    write(setter, {"row_id": row_id, **figures})
    sync_loaded(model, row_id, **figures)


def _derive_payment(payment):
    rows = rows_of(_ROWS_OF_PAYMENT, payment_id=payment.id)
    total = {kind: 0 for kind in ("authorised", "captured", "refunded")}
    seen = set()
    flag = payment.flag
    for kind, amount_cents, currency in rows:
        seen.add(kind)
        if kind in total:
            total[kind] += amount_cents
        if kind in _MONEY_KINDS and (currency != payment.currency
                                     or amount_cents != payment.amount_cents):
            flag = (f"{kind} {amount_cents} {currency}, asked "
                    f"{payment.amount_cents} {payment.currency}")
    captured = total["captured"]
    refunded = min(total["refunded"], captured)
    figures = {"flag": flag, "authorised_cents": total["authorised"], "captured_cents": captured,
               "refunded_cents": refunded,
               "status": _status(payment.status, total["authorised"], captured, refunded, seen,
                                 rows[-1][0] if rows else None),
               "updated_at": utcnow()}
    _store(Payment, _SET_PAYMENT, payment.id, figures)


def _status(status, authorised, captured, refunded, seen, last):
    if captured:
        return "refunded" if refunded >= captured else "captured"
    if "voided" in seen:
        return "voided"
    if authorised:
        return "authorised"
    # Before any money moved, the latest word stands: declined, or waiting for the buyer.
    return {"failed": "failed", "action": "action"}.get(last, status)


def derive_order(order):
    """The order's payment status and sums from its payments (flagged ones never pay it).
    `order` is a LockedOrder; returns the order's payments (PaymentRow) as derived."""
    payments = [PaymentRow._make(row) for row in rows_of(_PAYMENTS_OF_ORDER, order_id=order.id)]
    good = [p for p in payments if p.flag is None]
    captured = sum(p.captured_cents for p in good)
    refunded = sum(p.refunded_cents for p in payments)
    figures = {"flag": order.flag or next((p.flag for p in payments if p.flag), None),
               "paid_cents": sum(p.captured_cents for p in payments),
               "refunded_cents": refunded, "payment_status": order.payment_status,
               "state": order.state}
    if order.charge_mode != "none":
        figures["payment_status"] = status = _order_status(order, payments, good, captured,
                                                           refunded)
        if status == "paid" and order.state == "reserved" and order.campaign_state == "succeeded":
            # The balance of a deposit order came in after success: the order is confirmed.
            figures["state"], figures["confirmed_at"] = "confirmed", utcnow()
    if any(getattr(order, name) != value for name, value in figures.items()
           if name != "confirmed_at"):
        _store(Order, _CONFIRM_ORDER if "confirmed_at" in figures else _SET_ORDER, order.id,
               figures)
    return payments


def _order_status(order, payments, good, captured, refunded):
    if captured and refunded >= captured:
        return "refunded"
    if captured >= order.total_cents:
        return "paid"
    if any(p.purpose == "deposit" and p.captured_cents for p in good):
        return "deposit_paid"
    if any(p.status == "authorised" for p in good):
        return "authorised"
    if order.state == "cancelled":
        return "none"  # nothing was taken, and nothing is owed any more
    return "awaiting"


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

