"""The Stripe adapter against a fake of Stripe's HTTP API (the SDK itself runs: encoding,
idempotency headers, error classes), and webhooks signed the way Stripe signs them."""

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe

from products.payments.providers.base import BadSignature, PaymentRequest, ProviderError
from products.payments.providers.stripe_provider import StripeProvider

SECRET = "whsec_test_secret"


class FakeStripe(stripe.HTTPClient):
    """Answers each (method, path) from `routes`; records every request."""

    name = "fake"

    def __init__(self):
        super().__init__()
        self.routes = {}
        self.requests = []

    def reply(self, method, path, body, status=200):
        self.routes[(method, path)] = (status, body)

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        params = parse_qs(post_data or parts.query)
        self.requests.append({"method": method.upper(), "path": parts.path,
                              "headers": dict(headers or {}),
                              "params": {key: value[0] for key, value in params.items()}})
        answer = self.routes.get((method.upper(), parts.path))
        if answer is None:
            raise AssertionError(f"unexpected Stripe call {method} {parts.path}")
        if isinstance(answer[1], Exception):
            raise answer[1]
        status, body = answer
        return json.dumps(body), status, {"request-id": "req_test"}

    def close(self):
        pass

    def calls(self, method=None):
        return [(r["method"], r["path"]) for r in self.requests
                if method is None or r["method"] == method]


@pytest.fixture
def fake():
    return FakeStripe()


@pytest.fixture
def provider(fake):
    return StripeProvider("sk_test_123", SECRET, "pk_test_123", http_client=fake,
                          max_network_retries=0)


def request(**changes):
    values = dict(payment_id=42, order_id=7, amount_cents=2500, currency="EUR", capture=False,
                  description="Mug, 2 units", return_url="http://fanforge.test/orders/7",
                  idempotency_key="pay-42-create")
    values.update(changes)
    return PaymentRequest(**values)


def intent(status, **fields):
    return {"id": "pi_1", "object": "payment_intent", "amount": 2500, "currency": "eur",
            "status": status, "capture_method": "manual", "amount_received": 0,
            "metadata": {"payment_id": "42", "order_id": "7"}, "latest_charge": "ch_1",
            **fields}


def session(status="complete", payment_intent="pi_1", **fields):
    return {"id": "cs_1", "object": "checkout.session", "status": status,
            "payment_status": "unpaid", "amount_total": 2500, "currency": "eur",
            "payment_intent": payment_intent, "url": "https://checkout.stripe.com/c/pay/cs_1",
            **fields}


def refund(status="succeeded", **fields):
    return {"id": "re_1", "object": "refund", "amount": 1000, "currency": "eur",
            "status": status, "payment_intent": "pi_1", "metadata": {"fanforge_ref": "cs_1"},
            **fields}


def error(kind, status, code="", message="no"):
    return {"error": {"type": kind, "code": code, "message": message}}, status


def keys(events):
    return [event.key for event in events]


# Configuration

def test_from_config_needs_both_secrets():
    with pytest.raises(RuntimeError, match="FANFORGE_PAYMENTS_STRIPE_WEBHOOK_SECRET"):
        StripeProvider.from_config({"PAYMENTS_STRIPE_SECRET_KEY": "sk_test_1"})
    with pytest.raises(RuntimeError, match="FANFORGE_PAYMENTS_STRIPE_SECRET_KEY"):
        StripeProvider.from_config({"PAYMENTS_STRIPE_WEBHOOK_SECRET": "whsec_1"})
    built = StripeProvider.from_config({
        "PAYMENTS_STRIPE_SECRET_KEY": "sk_test_1", "PAYMENTS_STRIPE_WEBHOOK_SECRET": "whsec_1",
        "PAYMENTS_STRIPE_PUBLISHABLE_KEY": "pk_test_1"})
    assert (built.webhook_secret, built.publishable_key) == ("whsec_1", "pk_test_1")


# The verbs

def test_create_opens_a_checkout_session_with_an_idempotency_key(provider, fake):
    fake.reply("POST", "/v1/checkout/sessions", session(status="open", payment_intent=None))
    created = provider.create(request())
    assert created.ref == "cs_1"
    assert created.checkout_url == "https://checkout.stripe.com/c/pay/cs_1"
    [sent] = fake.requests
    assert sent["headers"]["Idempotency-Key"] == "pay-42-create"
    params = sent["params"]
    assert params["mode"] == "payment"
    assert params["line_items[0][price_data][currency]"] == "eur"
    assert params["line_items[0][price_data][unit_amount]"] == "2500"
    assert params["payment_intent_data[capture_method]"] == "manual"
    assert params["payment_intent_data[metadata][payment_id]"] == "42"
    assert params["metadata[order_id]"] == "7"
    assert params["success_url"] == params["cancel_url"] == "http://fanforge.test/orders/7"


def test_create_in_full_captures_automatically_yen_in_yen(provider, fake):
    fake.reply("POST", "/v1/checkout/sessions", session(status="open", payment_intent=None))
    provider.create(request(capture=True, currency="JPY", amount_cents=1500))
    params = fake.requests[0]["params"]
    assert params["payment_intent_data[capture_method]"] == "automatic"
    assert params["line_items[0][price_data][unit_amount]"] == "1500"


def test_capture_takes_the_held_amount(provider, fake):
    fake.reply("GET", "/v1/checkout/sessions/cs_1", session())
    fake.reply("POST", "/v1/payment_intents/pi_1/capture",
               intent("succeeded", amount_received=2000))
    events = provider.capture("cs_1", 2000, "pay-42-capture")
    assert keys(events) == ["auth:cs_1", "capture:cs_1"]
    assert events[1].kind == "captured" and events[1].amount_cents == 2000
    assert events[1].currency == "EUR" and events[1].ref == "cs_1"
    sent = fake.requests[-1]
    assert sent["params"] == {"amount_to_capture": "2000"}
    assert sent["headers"]["Idempotency-Key"] == "pay-42-capture"


def test_capture_before_the_buyer_paid_is_refused(provider, fake):
    fake.reply("GET", "/v1/checkout/sessions/cs_1", session(status="open", payment_intent=None))
    with pytest.raises(ProviderError) as raised:
        provider.capture("cs_1", 2500, "k")
    assert raised.value.retryable is False


def test_void_cancels_a_hold(provider, fake):
    fake.reply("GET", "/v1/checkout/sessions/cs_1", session())
    fake.reply("POST", "/v1/payment_intents/pi_1/cancel",
               intent("canceled", cancellation_reason="requested_by_customer"))
    [voided] = provider.void("cs_1", "pay-42-void")
    assert (voided.key, voided.kind, voided.amount_cents) == ("void:cs_1", "voided", 2500)
    assert fake.requests[-1]["headers"]["Idempotency-Key"] == "pay-42-void"


def test_void_of_an_unpaid_checkout_expires_it(provider, fake):
    fake.reply("GET", "/v1/checkout/sessions/cs_1", session(status="open", payment_intent=None))
    fake.reply("POST", "/v1/checkout/sessions/cs_1/expire", session(status="expired"))
    assert provider.void("cs_1", "pay-42-void") == []
    assert fake.requests[-1]["headers"]["Idempotency-Key"] == "pay-42-void:expire"


def test_partial_refund(provider, fake):
    fake.reply("GET", "/v1/checkout/sessions/cs_1", session())
    fake.reply("POST", "/v1/refunds", refund())
    [refunded] = provider.refund("cs_1", 1000, "refund-9", reason="requested_by_customer")
    assert (refunded.key, refunded.kind, refunded.amount_cents) == ("refund:re_1", "refunded", 1000)
    sent = fake.requests[-1]
    assert sent["headers"]["Idempotency-Key"] == "refund-9"
    assert sent["params"]["amount"] == "1000" and sent["params"]["payment_intent"] == "pi_1"
    assert sent["params"]["reason"] == "requested_by_customer"
    assert sent["params"]["metadata[fanforge_ref]"] == "cs_1"


def test_a_pending_refund_reports_nothing_yet(provider, fake):
    fake.reply("GET", "/v1/checkout/sessions/cs_1", session())
    fake.reply("POST", "/v1/refunds", refund(status="pending"))
    assert provider.refund("cs_1", 1000, "refund-9", reason="damaged on arrival") == []
    assert "reason" not in fake.requests[-1]["params"]
    assert fake.requests[-1]["params"]["metadata[reason]"] == "damaged on arrival"


def test_lookup_reports_every_movement(provider, fake):
    fake.reply("GET", "/v1/checkout/sessions/cs_1",
               session(payment_intent=intent("succeeded", amount_received=2500)))
    fake.reply("GET", "/v1/charges", {"object": "list", "data": [
        {"id": "ch_0", "object": "charge", "status": "failed", "failure_code": "card_declined"},
        {"id": "ch_1", "object": "charge", "status": "succeeded"}]})
    fake.reply("GET", "/v1/refunds", {"object": "list", "data": [
        refund(), refund(id="re_2", status="failed")]})
    events = provider.lookup("cs_1")
    assert keys(events) == ["auth:cs_1", "capture:cs_1", "failed:cs_1:ch_0", "refund:re_1"]
    assert [e.kind for e in events] == ["authorised", "captured", "failed", "refunded"]
    assert fake.requests[0]["params"] == {"expand[0]": "payment_intent"}
    assert fake.requests[1]["params"]["payment_intent"] == "pi_1"


def test_lookup_of_an_expired_checkout_is_a_void(provider, fake):
    fake.reply("GET", "/v1/checkout/sessions/cs_1", session(status="expired", payment_intent=None))
    assert keys(provider.lookup("cs_1")) == ["void:cs_1"]


def test_lookup_of_an_open_checkout_is_nothing(provider, fake):
    fake.reply("GET", "/v1/checkout/sessions/cs_1", session(status="open", payment_intent=None))
    assert provider.lookup("cs_1") == []


# Errors

@pytest.mark.parametrize(("answer", "retryable"), [
    (error("card_error", 402, "card_declined"), False),
    (error("invalid_request_error", 400, "parameter_missing"), False),
    (error("invalid_request_error", 404, "resource_missing"), False),
    (error("idempotency_error", 400), False),
    (error("invalid_request_error", 401), False),
    (error("invalid_request_error", 429, "rate_limit"), True),
    (error("invalid_request_error", 409, "lock_timeout"), True),
    (error("api_error", 500), True),
    (error("api_error", 503), True),
])
def test_stripe_errors_say_whether_to_retry(provider, fake, answer, retryable):
    body, status = answer
    fake.reply("POST", "/v1/checkout/sessions", body, status=status)
    with pytest.raises(ProviderError) as raised:
        provider.create(request())
    assert raised.value.retryable is retryable


def test_a_connection_failure_is_retryable(provider, fake):
    fake.routes[("POST", "/v1/checkout/sessions")] = (
        0, stripe.APIConnectionError("connection reset"))
    with pytest.raises(ProviderError) as raised:
        provider.create(request())
    assert raised.value.retryable is True


# Webhooks

def sign(payload, secret=SECRET, timestamp=None):
    """The Stripe-Signature header, computed as Stripe documents it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def notification(kind, obj, event_id="evt_1"):
    return json.dumps({"id": event_id, "object": "event", "type": kind, "api_version": "2025-01-01",
                       "created": int(time.time()), "data": {"object": obj}})


def deliver(provider, kind, obj):
    payload = notification(kind, obj)
    return provider.verify_webhook(payload.encode(), {"Stripe-Signature": sign(payload)})


def test_a_signed_notification_verifies(provider, fake):
    payload = notification("checkout.session.completed", session(), event_id="evt_42")
    webhook = provider.verify_webhook(payload.encode(), {"Stripe-Signature": sign(payload)})
    assert webhook.event_id == "evt_42" and webhook.events == ()
    assert fake.requests == []


@pytest.mark.parametrize("forge", [
    lambda payload: sign(payload, secret="whsec_someone_else"),
    lambda payload: sign(payload, timestamp=int(time.time()) - 3600),
    lambda payload: sign(payload.replace("2500", "1"), secret=SECRET),
    lambda payload: sign(payload).split(",v1=")[0] + ",v1=" + "0" * 64,
    lambda payload: "",
    lambda payload: "garbage",
], ids=["wrong-secret", "stale", "other-body", "forged", "missing", "malformed"])
def test_a_forged_or_stale_notification_is_refused(provider, forge):
    payload = notification("payment_intent.succeeded", intent("succeeded"))
    with pytest.raises(BadSignature):
        provider.verify_webhook(payload.encode(), {"Stripe-Signature": forge(payload)})


def test_a_signed_body_that_is_not_json_is_refused(provider):
    with pytest.raises(BadSignature):
        provider.verify_webhook(b"not json", {"Stripe-Signature": sign("not json")})


@pytest.mark.parametrize(("kind", "obj", "expected"), [
    ("payment_intent.amount_capturable_updated",
     intent("requires_capture", amount_capturable=2500), [("auth:cs_1", "authorised", 2500)]),
    ("payment_intent.succeeded", intent("succeeded", capture_method="automatic",
                                        amount_received=2500),
     [("capture:cs_1", "captured", 2500)]),
    ("payment_intent.succeeded", intent("succeeded", amount_received=2000),
     [("auth:cs_1", "authorised", 2500), ("capture:cs_1", "captured", 2000)]),
    ("payment_intent.payment_failed",
     intent("requires_payment_method", last_payment_error={
         "type": "card_error", "code": "card_declined", "charge": "ch_9"}),
     [("failed:cs_1:ch_9", "failed", 2500)]),
    ("payment_intent.requires_action", intent("requires_action"),
     [("action:cs_1", "action", 2500)]),
    ("payment_intent.canceled", intent("canceled"), [("void:cs_1", "voided", 2500)]),
])
def test_payment_intent_notifications(provider, fake, kind, obj, expected):
    fake.reply("GET", "/v1/checkout/sessions", {"object": "list", "data": [session()]})
    webhook = deliver(provider, kind, obj)
    assert [(e.key, e.kind, e.amount_cents) for e in webhook.events] == expected
    assert {(e.ref, e.currency) for e in webhook.events} == {("cs_1", "EUR")}
    assert fake.requests[0]["params"]["payment_intent"] == "pi_1"


def test_refund_notifications_carry_the_key_refund_returned(provider, fake):
    fake.reply("GET", "/v1/checkout/sessions/cs_1", session())
    fake.reply("POST", "/v1/refunds", refund())
    [returned] = provider.refund("cs_1", 1000, "refund-9")
    calls = len(fake.requests)
    for kind in ("refund.created", "refund.updated"):
        assert deliver(provider, kind, refund()).events == (returned,)
    assert len(fake.requests) == calls  # the refund's metadata named the checkout
    assert deliver(provider, "refund.updated", refund(status="pending")).events == ()


def test_a_dashboard_refund_is_traced_to_its_checkout(provider, fake):
    fake.reply("GET", "/v1/checkout/sessions", {"object": "list", "data": [session()]})
    charge = {"id": "ch_1", "object": "charge", "payment_intent": "pi_1", "refunds": {
        "object": "list", "data": [refund(id="re_7", metadata={})]}}
    [refunded] = deliver(provider, "charge.refunded", charge).events
    assert (refunded.key, refunded.ref, refunded.amount_cents) == ("refund:re_7", "cs_1", 1000)


def test_checkout_session_notifications(provider, fake):
    expired = deliver(provider, "checkout.session.expired",
                      session(status="expired", payment_intent=None))
    assert [(e.key, e.kind) for e in expired.events] == [("void:cs_1", "voided")]
    assert deliver(provider, "checkout.session.completed", session()).events == ()
    assert fake.requests == []


def test_notifications_not_ours_or_unknown_are_acknowledged(provider, fake):
    assert deliver(provider, "payment_intent.succeeded", intent("succeeded", metadata={})).events == ()
    assert deliver(provider, "customer.created", {"id": "cus_1", "object": "customer"}).events == ()
    assert deliver(provider, "payment_intent.created", intent("requires_payment_method")).events == ()
    assert fake.requests == []
    fake.reply("GET", "/v1/checkout/sessions", {"object": "list", "data": []})
    assert deliver(provider, "payment_intent.succeeded", intent("succeeded")).events == ()


def test_a_failed_trace_asks_for_the_notification_again(provider, fake):
    fake.reply("GET", "/v1/checkout/sessions", *error("api_error", 500))
    with pytest.raises(ProviderError) as raised:
        deliver(provider, "payment_intent.succeeded", intent("succeeded"))
    assert raised.value.retryable is True
