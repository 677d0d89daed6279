"""Receiving a provider's notification: verified, booked once, safe to replay."""

from community.kernel.database import insert_ignore, transaction, utcnow

from . import ledger, providers
from .models import WebhookReceipt


def receive(provider_name, body, headers):
    """Verify and book a webhook. Returns "booked" or "replay"; raises BadSignature.

    The receipt (provider, event id) and the ledger rows go in one transaction: a replay,
    even twenty at once, finds the receipt (or waits on its key) and books nothing."""
    provider = providers.get(provider_name)
    hook = provider.verify_webhook(body, headers)
    with transaction():
        if not insert_ignore(WebhookReceipt, provider=provider_name, event_id=hook.event_id[:128],
                             received_at=utcnow()):
            return "replay"
        ledger.record(provider_name, hook.events, "webhook")
    return "booked"
