"""The sweeps: units whose buyer did not pay go back on sale, and the reconcile job asks
the providers about payments no webhook has told us of."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db

from ..orders import service as orders
from ..orders.models import Order
from . import ledger, providers
from .models import Payment
from .providers.base import ProviderError

BATCH = 500


def expire_unpaid(now=None):
    """Cancel orders whose hold ran out unpaid, and those whose balance is overdue; each
    cancel is a conditional UPDATE, so a payment booked meanwhile wins. Returns how many."""
    now = now or utcnow()
    held = db.session.scalars(select(Order.id).where(
        Order.payment_status == "awaiting", Order.state == "reserved", Order.pay_by <= now)
        .order_by(Order.pay_by).limit(BATCH)).all()
    overdue = db.session.scalars(select(Order.id).where(
        Order.payment_status == "deposit_paid", Order.state == "reserved",
        Order.balance_due_by <= now).order_by(Order.balance_due_by).limit(BATCH)).all()
    return (sum(orders.cancel_unpaid(order_id, now) for order_id in held)
            + sum(orders.cancel_unpaid(order_id, now, balance=True) for order_id in overdue))


def reconcile(now=None, limit=100):
    """Ask the provider about open payments quiet for PAYMENTS_RECONCILE_AFTER_MINUTES and
    book what it says (the same keys as its webhooks, so nothing counts twice)."""
    now = now or utcnow()
    quiet = now - timedelta(minutes=current_app.config["PAYMENTS_RECONCILE_AFTER_MINUTES"])
    rows = db.session.execute(select(Payment.id, Payment.provider, Payment.ref).where(
        Payment.ref.is_not(None), Payment.status.in_(("created", "action", "authorised", "failed")),
        Payment.updated_at <= quiet).order_by(Payment.updated_at).limit(limit)).all()
    booked = 0
    for row in rows:
        try:
            events = providers.get(row.provider).lookup(row.ref)
        except ProviderError:
            continue  # asked again next time
        with transaction():
            booked += len(ledger.record(row.provider, events, "lookup"))
            # Heard from, whatever it said: next asked after another quiet spell.
            db.session.get(Payment, row.id, populate_existing=True).updated_at = utcnow()
    return booked
