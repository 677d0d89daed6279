"""What every payment provider does, in the store's own terms.

A provider is a small adapter over a gateway's SDK. The store never sees the SDK's
objects: every answer is a list of `Event`s, the money movements the gateway reports,
each named by a key that is the same whether it comes from an API reply, a webhook or a
lookup (so the ledger counts it once, whichever arrives first):

    authorised   f"auth:{ref}"       money held on the buyer's card (manual capture)
    captured     f"capture:{ref}"    money taken (one capture per payment)
    failed       f"failed:{ref}:{n}" an attempt declined (moves no money)
    action       f"action:{ref}"     the buyer must confirm (3-D Secure and the like)
    voided       f"void:{ref}"       a hold released
    refunded     f"refund:{id}"      money given back (several per payment)

`ref` is the provider's id of the payment (a PaymentIntent, a WeChat out_trade_no);
amounts are integer minor units with an ISO currency code.
"""

from typing import NamedTuple

KINDS = ("authorised", "captured", "failed", "action", "voided", "refunded")


class Event(NamedTuple):
    key: str  # the movement's stable key (above): unique per provider in the ledger
    ref: str  # the provider's payment id the movement belongs to
    kind: str  # one of KINDS
    amount_cents: int
    currency: str
    raw_status: str  # the gateway's own word for it, kept for staff and audits


class Created(NamedTuple):
    ref: str  # the provider's payment id
    checkout_url: str | None  # where the buyer pays (a hosted page, a QR code's page)
    client_secret: str | None = None  # for an embedded form (Stripe's Payment Element)
    events: tuple = ()  # anything already known (a payment that needed no buyer step)


class Webhook(NamedTuple):
    event_id: str  # the provider's id of the notification itself (replays repeat it)
    events: tuple  # the movements it reports


class PaymentRequest(NamedTuple):
    """What the store asks a provider to collect."""
    payment_id: int  # our payments.id: the provider keeps it as metadata / out_trade_no
    order_id: int
    amount_cents: int
    currency: str
    capture: bool  # False: authorise only, capture later (or void)
    description: str
    return_url: str  # where the buyer comes back to after paying
    idempotency_key: str  # the same request twice makes one payment at the gateway


class ProviderError(Exception):
    """The gateway refused or could not be reached; `retryable` says whether to try again."""

    def __init__(self, message, retryable=True):
        super().__init__(message)
        self.retryable = retryable


class BadSignature(Exception):
    """A webhook whose signature, timestamp or body does not verify: answered 400."""


class Provider:
    """The verbs. Each returns the events the gateway reported, or raises ProviderError."""

    name = ""
    # Currencies the provider takes (None: any). WeChat Pay takes CNY only.
    currencies = None
    # True for a gateway whose books are tables of the store's own database (the dummy):
    # its create is statements, not a network call, so checkout runs it (create_here) in
    # the transaction that stores its ref, and a payment costs the database what it does
    # with a real gateway.
    books_here = False

    def create(self, request: PaymentRequest) -> Created:
        raise NotImplementedError

    def create_here(self, request: PaymentRequest) -> Created:
        """create() in the caller's write transaction (books_here providers only)."""
        raise NotImplementedError

    def capture(self, ref: str, amount_cents: int, idempotency_key: str) -> list[Event]:
        raise NotImplementedError

    def void(self, ref: str, idempotency_key: str) -> list[Event]:
        raise NotImplementedError

    def refund(self, ref: str, amount_cents: int, idempotency_key: str, reason: str = "") -> list[Event]:
        raise NotImplementedError

    def lookup(self, ref: str) -> list[Event]:
        """Every movement the gateway knows for the payment (the reconcile job's question)."""
        raise NotImplementedError

    def verify_webhook(self, body: bytes, headers) -> Webhook:
        """Check the signature (and its age) with the provider's own means; raise BadSignature."""
        raise NotImplementedError
