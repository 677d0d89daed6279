"""The store's own events; community listeners (points, medals, notices) may connect."""

from blinker import Namespace

_events = Namespace()

# sender is the Campaign.
campaign_published = _events.signal("campaign-published")
# sender is the Campaign, published as scheduled, whose start has just come (stored live).
campaign_went_live = _events.signal("campaign-went-live")
# outcome is "succeeded" or "failed".
campaign_settled = _events.signal("campaign-settled")
campaign_cancelled = _events.signal("campaign-cancelled")
# sender is the Order.
order_placed = _events.signal("order-placed")
order_cancelled = _events.signal("order-cancelled")
# sender is the Order; carrier and tracking_number as keywords. Sent inside the
# transaction that marks it shipped (a listener writes its outbox rows there).
order_shipped = _events.signal("order-shipped")
# sender is the FCode, just issued (flushed: it has its id).
f_code_issued = _events.signal("f-code-issued")
# sender is the Campaign id; its confirmed orders just went into production.
production_started = _events.signal("production-started")
# sender is the Order, just marked delivered.
order_delivered = _events.signal("order-delivered")
# sender is the order as payments/ledger.py locked it (a LockedOrder: id, buyer_id,
# campaign_id, ...; not an ORM Order); kind ("captured", "failed", "refunded", ...),
# amount_cents and currency of a ledger row just recorded, in its transaction.
payment_recorded = _events.signal("payment-recorded")
