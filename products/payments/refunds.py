"""Staff refund an order, in full or in part, with a reason that is logged.

The amount is spread over the order's payments newest first (a balance before its
deposit), never more than each has left; each share is an action the worker does
(actions.py), keyed per request so a double submit is one refund.
"""

import hashlib
import secrets

from flask_babel import gettext as _
from sqlalchemy import func, select

from community.audit.service import record_audit
from community.forum.moderation import ensure_staff
from community.forum.moderation import record as log_action
from community.kernel.database import transaction
from community.kernel.errors import NotFound, ValidationError
from community.kernel.extensions import db

from ..orders.models import Order
from . import actions
from .models import Payment, PaymentAction

MAX_REASON = 200


def refundable(order_id):
    """What is left to refund on an order: captured minus refunded and minus refunds queued."""
    payments = db.session.scalars(select(Payment).where(Payment.order_id == order_id)).all()
    # Summed per payment: two refunds waiting on one payment both count.
    queued = dict(db.session.execute(
        select(PaymentAction.payment_id, func.sum(PaymentAction.amount_cents)).where(
            PaymentAction.payment_id.in_([p.id for p in payments]), PaymentAction.kind == "refund",
            PaymentAction.state == "pending").group_by(PaymentAction.payment_id)).all()
    ) if payments else {}
    return {p: p.captured_cents - p.refunded_cents - queued.get(p.id, 0) for p in payments}


def refund_order(order_id, actor, amount_cents, reason, request_key=None):
    """Queue refunds of `amount_cents` on the order; returns the amount queued."""
    ensure_staff(actor)
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationError(_("Say why, in at most %(n)d characters.", n=MAX_REASON), field="reason")
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents <= 0:
        raise ValidationError(_("Give an amount above zero."), field="amount")
    # The form's (or API client's) key, whatever its length, as 16 hex characters.
    key = hashlib.sha256(request_key.encode()).hexdigest()[:16] if request_key else secrets.token_hex(8)
    with transaction():
        order = db.session.get(Order, order_id, populate_existing=True)
        if order is None:
            raise NotFound(_("No such pre-order."))
        request_prefix = f"staff-{order.id}-{key}-"  # the same form for this order, again
        if db.session.scalar(select(PaymentAction.id).where(
                PaymentAction.key.startswith(request_prefix, autoescape=True)).limit(1)):
            return amount_cents  # the same form sent again: refunded once, logged once
        left = refundable(order.id)
        if amount_cents > sum(max(0, n) for n in left.values()):
            raise ValidationError(_("That is more than is left to refund on this order."),
                                  field="amount", code="refund_too_large")
        remaining = amount_cents
        for payment in sorted(left, key=lambda p: p.id, reverse=True):
            share = min(remaining, max(0, left[payment]))
            if share:
                actions.queue(payment, "refund", share, reason, key=f"{request_prefix}{payment.id}",
                              requested_by_id=actor.id)
                remaining -= share
        log_action(actor, "refund", "order", order.id, f"{amount_cents} {order.currency}: {reason}")
        record_audit(actor, "refund", f"order:{order.id}",
                     f"{amount_cents} {order.currency}: {reason}")
    return amount_cents
