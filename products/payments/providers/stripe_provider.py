"""Stripe: the buyer pays on Stripe's hosted Checkout page; webhooks verified by the SDK.

The payment's `ref` is the Checkout Session id (`cs_...`). Stripe creates a session's
PaymentIntent only when the buyer confirms, so the session id is the one id there is when
`create` answers; every event (API replies, webhooks, lookups) carries it:

- checkout.session.* webhooks name the session themselves;
- payment_intent.* and charge.* webhooks name the PaymentIntent: the provider asks Stripe
  for its session (`GET /v1/checkout/sessions?payment_intent=pi_...`), but only for
  PaymentIntents whose metadata carries our `payment_id` (others are not ours: ignored);
- refund.* webhooks: refunds made by `refund()` carry the session id in their metadata
  (`fanforge_ref`); refunds made on the dashboard are resolved like a PaymentIntent.
  That one look-up can fail: `verify_webhook` then raises a retryable ProviderError and
  the endpoint should answer 5xx, so Stripe sends the notification again.

Event mapping (webhook -> kind): payment_intent.amount_capturable_updated -> authorised,
payment_intent.succeeded -> captured (checkout.session.completed adds nothing: the
PaymentIntent's own webhook says whether money was held or taken), payment_intent.payment_failed -> failed (`failed:{ref}:{charge id}`),
payment_intent.requires_action -> action, payment_intent.canceled and
checkout.session.expired -> voided, refund.created/refund.updated (status succeeded) and
charge.refunded (its listed refunds) -> refunded (`refund:{re_...}`). Others: no events.
Subscribe the endpoint to those types.

Amounts: the store counts every currency in its ISO 4217 minor unit (products/money.py
reads the precision from babel), which is Stripe's "smallest currency unit" too: yen in
yen, dinar in fils. Amounts pass through unchanged.
"""

import stripe

from .base import BadSignature, Created, Event, PaymentRequest, Provider, ProviderError, Webhook

# Stripe's own refund reasons; any other reason text goes to the refund's metadata only.
REFUND_REASONS = frozenset(("duplicate", "fraudulent", "requested_by_customer"))
INTENT_WEBHOOKS = frozenset((
    "payment_intent.amount_capturable_updated", "payment_intent.succeeded",
    "payment_intent.payment_failed", "payment_intent.requires_action", "payment_intent.canceled"))
RETRYABLE = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)


def retryable(error):
    """Connection trouble, rate limits, 5xx and lock timeouts (409) pass; refusals do not."""
    status = error.http_status or 0
    return isinstance(error, RETRYABLE) or status >= 500 or status == 409


def _plain(value):
    return value.to_dict() if isinstance(value, stripe.StripeObject) else value


def _id(value):
    """An expandable field's id, whether Stripe sent the id or the object."""
    return value.get("id") if isinstance(value, dict) else value


class StripeProvider(Provider):
    name = "stripe"
    currencies = None

    def __init__(self, secret_key, webhook_secret, publishable_key=None, *,
                 http_client=None, max_network_retries=2,
                 tolerance=stripe.Webhook.DEFAULT_TOLERANCE):
        self.client = stripe.StripeClient(secret_key, http_client=http_client,
                                          max_network_retries=max_network_retries)
        self.webhook_secret = webhook_secret
        self.publishable_key = publishable_key
        self.tolerance = tolerance

    @classmethod
    def from_config(cls, config, **options):
        missing = [key for key in ("PAYMENTS_STRIPE_SECRET_KEY", "PAYMENTS_STRIPE_WEBHOOK_SECRET")
                   if not config.get(key)]
        if missing:
            raise RuntimeError("Stripe payments need " + ", ".join(
                f"FANFORGE_{key}" for key in missing))
        return cls(config["PAYMENTS_STRIPE_SECRET_KEY"], config["PAYMENTS_STRIPE_WEBHOOK_SECRET"],
                   config.get("PAYMENTS_STRIPE_PUBLISHABLE_KEY"), **options)

    # The verbs

    def create(self, request: PaymentRequest) -> Created:
        currency = request.currency.lower()
        metadata = {"payment_id": str(request.payment_id), "order_id": str(request.order_id)}
        name = request.description or f"Order {request.order_id}"
        session = self._call(self.client.v1.checkout.sessions.create, params={
            "mode": "payment",
            "line_items": [{"quantity": 1, "price_data": {
                "currency": currency,
                "unit_amount": request.amount_cents,
                "product_data": {"name": name},
            }}],
            "client_reference_id": str(request.payment_id),
            "metadata": metadata,
            "payment_intent_data": {
                "capture_method": "automatic" if request.capture else "manual",
                "description": name,
                "metadata": metadata,
            },
            "success_url": request.return_url,
            "cancel_url": request.return_url,
        }, options={"idempotency_key": request.idempotency_key})
        return Created(ref=session["id"], checkout_url=session.get("url"))

    def capture(self, ref, amount_cents, idempotency_key):
        session, intent_id = self._paid_session(ref)
        intent = self._call(self.client.v1.payment_intents.capture, intent_id, params={
            "amount_to_capture": amount_cents,
        }, options={"idempotency_key": idempotency_key})
        return intent_events(intent, ref)

    def void(self, ref, idempotency_key):
        """Cancel the held PaymentIntent; a session still open (nothing paid) is expired
        instead, as Stripe asks, and reports nothing (its PaymentIntent, if any, is
        canceled and its webhook says so)."""
        session = self._session(ref)
        if session.get("status") == "open":
            self._call(self.client.v1.checkout.sessions.expire, ref,
                       options={"idempotency_key": f"{idempotency_key}:expire"})
            return []
        intent_id = _id(session.get("payment_intent"))
        if not intent_id:
            return []
        intent = self._call(self.client.v1.payment_intents.cancel, intent_id,
                            options={"idempotency_key": idempotency_key})
        return intent_events(intent, ref)

    def refund(self, ref, amount_cents, idempotency_key, reason=""):
        session, intent_id = self._paid_session(ref)
        params = {
            "payment_intent": intent_id,
            "amount": amount_cents,
            "metadata": {"fanforge_ref": ref, "reason": reason[:500]},
        }
        if reason in REFUND_REASONS:
            params["reason"] = reason
        refund = self._call(self.client.v1.refunds.create, params=params,
                            options={"idempotency_key": idempotency_key})
        return refund_events(refund, ref)

    def lookup(self, ref):
        session = self._session(ref, expand=["payment_intent"])
        intent = session.get("payment_intent")
        if not isinstance(intent, dict):
            return session_events(session)
        events = intent_events(intent, ref)
        charges = self._call(self.client.v1.charges.list,
                             params={"payment_intent": intent["id"], "limit": 100})
        events += [failed_event(ref, charge["id"], intent, charge.get("failure_code"))
                   for charge in charges["data"] if charge.get("status") == "failed"]
        refunds = self._call(self.client.v1.refunds.list,
                             params={"payment_intent": intent["id"], "limit": 100})
        for refund in refunds["data"]:
            events += refund_events(refund, ref)
        return events

    def verify_webhook(self, body, headers):
        try:
            event = self.client.construct_event(
                body, headers.get("Stripe-Signature"), self.webhook_secret, self.tolerance)
        # construct_event raises ValueError (JSONDecodeError, UnicodeDecodeError) on a
        # body that is not JSON, after the signature check.
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise BadSignature(str(error)) from error
        event = event.to_dict()
        kind, obj = event["type"], event["data"]["object"]
        if kind == "checkout.session.expired":
            events = session_events(obj)
        elif kind in INTENT_WEBHOOKS:
            ref = self._ref_of_intent(obj)
            events = intent_events(obj, ref, kind) if ref else []
        elif kind in ("refund.created", "refund.updated"):
            ref = self._ref_of_refund(obj)
            events = refund_events(obj, ref) if ref else []
        elif kind == "charge.refunded":
            events = []
            for refund in (obj.get("refunds") or {}).get("data") or ():
                ref = self._ref_of_refund(refund)
                events += refund_events(refund, ref) if ref else []
        else:
            events = []
        return Webhook(event_id=event["id"], events=tuple(events))

    # Stripe's side

    def _call(self, method, *args, **kwargs):
        try:
            return _plain(method(*args, **kwargs))
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe: {error.user_message or error}",
                                retryable=retryable(error)) from error

    def _session(self, ref, expand=()):
        params = {"expand": list(expand)} if expand else None
        return self._call(self.client.v1.checkout.sessions.retrieve, ref, params=params)

    def _paid_session(self, ref):
        session = self._session(ref)
        intent_id = _id(session.get("payment_intent"))
        if not intent_id:
            raise ProviderError(f"Stripe: checkout {ref} has no payment yet", retryable=False)
        return session, intent_id

    def _ref_of_intent(self, intent):
        """The session a PaymentIntent of ours belongs to (None: not one of ours)."""
        if not (intent.get("metadata") or {}).get("payment_id"):
            return None
        return self._session_of(intent["id"])

    def _ref_of_refund(self, refund):
        ref = (refund.get("metadata") or {}).get("fanforge_ref")
        intent_id = _id(refund.get("payment_intent"))
        return ref or (self._session_of(intent_id) if intent_id else None)

    def _session_of(self, intent_id):
        sessions = self._call(self.client.v1.checkout.sessions.list,
                              params={"payment_intent": intent_id, "limit": 1})
        return sessions["data"][0]["id"] if sessions["data"] else None


# Stripe objects (plain dicts) as events

def _event(key, ref, kind, amount, currency, raw_status):
    currency = currency.upper()
    return Event(key=key, ref=ref, kind=kind, amount_cents=amount or 0,
                 currency=currency, raw_status=raw_status)


def failed_event(ref, attempt, intent, raw_status=None):
    return _event(f"failed:{ref}:{attempt}", ref, "failed", intent["amount"], intent["currency"],
                  raw_status or intent.get("status") or "failed")


def intent_events(intent, ref, webhook_type=None):
    """What a PaymentIntent's state says: from an API reply (webhook_type None), or what
    the webhook of that type reports."""
    status, currency, amount = intent.get("status"), intent["currency"], intent["amount"]
    held = _event(f"auth:{ref}", ref, "authorised", amount, currency, status)
    if webhook_type == "payment_intent.payment_failed":
        error = intent.get("last_payment_error") or {}
        attempt = (error.get("charge") or _id(intent.get("latest_charge"))
                   or _id(error.get("payment_method")) or "0")
        return [failed_event(ref, attempt, intent, error.get("code") or error.get("decline_code"))]
    if status == "requires_capture":
        return [held]
    if status == "requires_action":
        return [_event(f"action:{ref}", ref, "action", amount, currency, status)]
    if status == "succeeded":
        taken = _event(f"capture:{ref}", ref, "captured", intent.get("amount_received"),
                       currency, status)
        return [held, taken] if intent.get("capture_method") == "manual" else [taken]
    if status == "canceled":
        return [_event(f"void:{ref}", ref, "voided", amount, currency,
                       intent.get("cancellation_reason") or status)]
    return []


def refund_events(refund, ref):
    if refund.get("status") != "succeeded":
        return []
    return [_event(f"refund:{refund['id']}", ref, "refunded", refund["amount"],
                   refund["currency"], refund["status"])]


def session_events(session):
    """An expired session: the buyer never paid (its PaymentIntent, if any, is canceled)."""
    if session.get("status") != "expired":
        return []
    ref = session["id"]
    return [_event(f"void:{ref}", ref, "voided", session.get("amount_total"),
                   session["currency"], "expired")]
