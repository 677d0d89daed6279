"""The worker's side of payment actions: ask the provider, book the answer (actions.py)."""

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db

from . import actions, ledger, providers
from .models import Payment, PaymentAction
from .providers.base import ProviderError

log = logging.getLogger(__name__)


def _ask(provider, action):
    payment = action.payment
    if action.kind == "capture":
        return provider.capture(payment.ref, action.amount_cents, action.key)
    if action.kind == "void":
        return provider.void(payment.ref, action.key)
    return provider.refund(payment.ref, action.amount_cents, action.key, action.reason)


def run(action_id):
    """Do one claimed action and book what the provider answered."""
    action = db.session.get(PaymentAction, action_id, populate_existing=True)
    if action is None or action.state != "pending":
        return "gone"
    payment = db.session.get(Payment, action.payment_id, populate_existing=True)
    try:
        # A payment that never reached the provider has nothing to move, nor a void of a
        # payment captured meanwhile (its refund is an action of its own).
        moot = payment.ref is None or (action.kind == "void" and payment.captured_cents)
        events = [] if moot else _ask(providers.get(payment.provider), action)
    except ProviderError as error:
        return _failed(action, error)
    with transaction():
        ledger.record(payment.provider, events, "reply")
        db.session.execute(update(PaymentAction).where(PaymentAction.id == action.id).values(
            state="done", done_at=utcnow(), claimed_until=None, last_error=None,
            attempts=PaymentAction.attempts + 1))
    return "done"


def _failed(action, error):
    delays = current_app.config["PAYMENTS_ACTION_RETRY_DELAYS"]
    values = {"attempts": PaymentAction.attempts + 1, "claimed_until": None,
              "last_error": str(error)[:500] or type(error).__name__}
    if not error.retryable or action.attempts >= len(delays):
        values["state"] = "failed"
        log.error("payment action %s (%s of payment %s) failed: %s", action.id, action.kind,
                  action.payment_id, error)
    else:
        values["next_at"] = utcnow() + timedelta(seconds=delays[action.attempts])
    with transaction():
        db.session.execute(update(PaymentAction).where(PaymentAction.id == action.id).values(**values))
    return values.get("state", "retry")


def run_due(limit=None):
    """Claim and do one batch; returns (claimed, done)."""
    config = current_app.config
    ids = actions.claim(limit or config["PAYMENTS_ACTION_BATCH"], config["PAYMENTS_ACTION_CLAIM_SECONDS"])
    return len(ids), sum(run(action_id) == "done" for action_id in ids)
