"""Captures, voids and refunds: decided in a transaction, done by the worker.

Whatever decides that money moves (a campaign failing, a buyer cancelling, staff
refunding, a payment nobody wanted) queues a PaymentAction in its own transaction, as the
mail outbox does. The worker claims due actions in batches and asks the provider, giving
the action's key as the idempotency key: a worker killed after the provider answered and
before the action was marked done leaves it to the next worker, whose request the
provider answers with the same movement, which the ledger already holds. So a batch
stopped anywhere loses nothing and doubles nothing. A refusal the provider calls final,
or a retryable one past PAYMENTS_ACTION_RETRY_DELAYS, waits for staff on /staff/jobs.
"""

from datetime import timedelta

from sqlalchemy import func, or_, select, update

from community.kernel import jobs
from community.kernel.database import dialect_name, insert_ignore, transaction, utcnow
from community.kernel.extensions import db

from .models import PaymentAction

KICK = "payments.run_actions"


def queue(payment, kind, amount_cents, reason, key, requested_by_id=None):
    """Queue a move of money in the caller's transaction; the same key twice is one action."""
    added = insert_ignore(PaymentAction, payment_id=payment.id, kind=kind, amount_cents=amount_cents,
                          reason=reason[:200], requested_by_id=requested_by_id, key=key[:64],
                          state="pending", attempts=0, next_at=utcnow(), created_at=utcnow())
    if added:
        jobs.kick_after_commit(KICK)
    return added


def give_back(payment, reason, keep_deposit=False):
    """Queue what returns a payment's money to the buyer: a refund of what was captured and
    not yet refunded, a void of a hold, or closing a payment still open at the provider
    (so it cannot be paid later). One key per payment and kind: asked again for any
    reason, it is the same action."""
    if keep_deposit and payment.purpose == "deposit":
        return False
    if payment.captured_cents > payment.refunded_cents:
        return queue(payment, "refund", payment.captured_cents - payment.refunded_cents, reason,
                     key=f"give-back-refund-{payment.id}")
    if payment.status in ("authorised", "created", "action", "failed") and payment.ref:
        return queue(payment, "void", 0, reason, key=f"give-back-void-{payment.id}")
    return False


def claim(limit, lease_seconds, now=None):
    """Up to `limit` due actions for this worker (their ids, oldest first)."""
    now = now or utcnow()
    due = (select(PaymentAction.id)
           .where(PaymentAction.state == "pending", PaymentAction.next_at <= now,
                  or_(PaymentAction.claimed_until.is_(None), PaymentAction.claimed_until < now))
           .order_by(PaymentAction.next_at, PaymentAction.id).limit(limit))
    if dialect_name() == "postgresql":
        due = due.with_for_update(skip_locked=True)
    with transaction():
        ids = db.session.scalars(due).all()
        if ids:
            db.session.execute(update(PaymentAction).where(PaymentAction.id.in_(ids)).values(
                claimed_until=now + timedelta(seconds=lease_seconds)))
    return sorted(ids)


# ---- staff -----------------------------------------------------------------

def failed_rows(limit=100):
    return db.session.scalars(select(PaymentAction).where(PaymentAction.state == "failed")
                              .order_by(PaymentAction.id).limit(limit)).all()


def counts():
    rows = db.session.execute(select(PaymentAction.state, func.count()).group_by(PaymentAction.state))
    found = dict.fromkeys(("pending", "done", "failed"), 0)
    found.update({state: n for state, n in rows})
    return found


def retry(ids=None):
    """Staff send failed actions back to the queue (all of them, or those named)."""
    with transaction():
        query = update(PaymentAction).where(PaymentAction.state == "failed")
        if ids:
            query = query.where(PaymentAction.id.in_(ids))
        retried = db.session.execute(query.values(state="pending", next_at=utcnow(), attempts=0,
                                                  claimed_until=None)).rowcount
    if retried:
        jobs.kick(KICK)
    return retried
