"""An order's story as its buyer sees it: each step with its time, from the order's own
columns and the payment ledger (Order.ledger), oldest first; steps still to come last."""

from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from .dues import due_now


class Step(NamedTuple):
    kind: str  # placed, awaiting, authorised, deposit, paid, balance_due, confirmed, ...
    label: str
    at: object  # a naive UTC datetime, or None for a step still to come
    amount_cents: int | None = None
    until: object = None  # a deadline (naive UTC) for a step still to come
    detail: str = ""  # the carrier and tracking number of a shipment


_MOVES = {"authorised": _l("Payment authorised (charged if the campaign succeeds)"),
          "captured": _l("Paid"), "refunded": _l("Refunded"), "voided": _l("Authorisation released")}
_CANCELLED = {"buyer": _l("Cancelled by you"), "unpaid": _l("Cancelled: not paid in time"),
              "balance_unpaid": _l("Cancelled: balance not paid in time"),
              "campaign_failed": _l("Cancelled: the campaign did not reach its goal"),
              "campaign_cancelled": _l("Cancelled: the campaign was called off")}


def steps(order, now=None):
    done = [Step("placed", str(_l("Pre-order placed")), order.created_at)]
    for entry in order.ledger:
        if entry.kind not in _MOVES:
            continue
        payment_purpose = next((p.purpose for p in order.payments if p.id == entry.payment_id), "")
        label = _MOVES[entry.kind]
        if entry.kind == "captured" and payment_purpose == "deposit":
            label = _l("Deposit paid")
        elif entry.kind == "captured" and payment_purpose == "balance":
            label = _l("Balance paid")
        done.append(Step(entry.kind, str(label), entry.created_at, entry.amount_cents))
    if order.confirmed_at:
        done.append(Step("confirmed", str(_l("Confirmed: the campaign succeeded")), order.confirmed_at))
    if order.in_production_at:
        done.append(Step("in_production", str(_l("In production")), order.in_production_at))
    if order.shipped_at:
        done.append(Step("shipped", str(_l("Dispatched")), order.shipped_at,
                         detail=f"{order.carrier} · {order.tracking_number}"))
    if order.delivered_at:
        done.append(Step("delivered", str(_l("Delivered")), order.delivered_at))
    if order.cancelled_at:
        done.append(Step("cancelled", str(_CANCELLED.get(order.cancel_reason, _l("Cancelled"))),
                         order.cancelled_at))
    done.sort(key=lambda step: step.at)
    return done + _to_come(order, now)


def _to_come(order, now):
    if order.state == "cancelled":
        return []
    coming = []
    due = due_now(order, now)
    if due is not None:
        purpose, amount = due
        until = order.balance_due_by if purpose == "balance" else order.pay_by
        label = {"deposit": _l("Deposit due"), "balance": _l("Balance due")}.get(purpose, _l("Payment due"))
        coming.append(Step("due", str(label), None, amount, until=until))
    if order.state == "reserved":
        coming.append(Step("confirmed", str(_l("Confirmed when the campaign reaches its goal")), None))
    elif order.fulfilment_status != "delivered":
        coming.append(Step(order.fulfilment_status or "confirmed", str(_l("Then: made, shipped, delivered")),
                           None))
    return coming
