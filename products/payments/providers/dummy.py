"""The dummy gateway: a payment provider in test mode, for `make run` and the tests.

It behaves like a real gateway (Saleor's dummy and Solidus's bogus gateway are the
convention): the buyer pays on a checkout page of its own (payments/dummy_views.py),
where card 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined and
4000 0000 0000 3220 needs an extra confirmation step; it reports back through the same
signed-webhook path the real providers use, signed as Stripe signs (t=...,v1=HMAC-SHA256
over "t.payload", made and checked by the stripe package's own WebhookSignature), and
keeps its side of each payment in tables of its own, as a gateway keeps its own books:
a capture, void or refund asked twice with the same idempotency key is done once.
"""

import json
import secrets
import time
from datetime import datetime

from flask import url_for
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column
from stripe import SignatureVerificationError, WebhookSignature

from community.kernel.database import insert_ignore, transaction, utcnow
from community.kernel.dependencies import private_table
from community.kernel.extensions import db

from .base import BadSignature, Created, Event, Provider, ProviderError, Webhook

SUCCEEDS = "4242424242424242"
DECLINED = "4000000000000002"
NEEDS_ACTION = "4000000000003220"
SIGNATURE_HEADER = "Fanforge-Dummy-Signature"
TOLERANCE = 300  # seconds a signed notification stays acceptable, as Stripe's default


class DummyCharge(db.Model):
    """The gateway's record of one payment (a PaymentIntent, in Stripe's words)."""

    __tablename__ = "dummy_gateway_charges"
    __table_args__ = (private_table(),)

    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    capture: Mapped[bool]
    # requires_payment_method -> (requires_action ->) requires_capture | succeeded; canceled.
    status: Mapped[str] = mapped_column(String(24), default="requires_payment_method")
    authorised_cents: Mapped[int] = mapped_column(default=0)
    captured_cents: Mapped[int] = mapped_column(default=0)
    declines: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(String(200), default="")
    return_url: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DummyRefund(db.Model):
    __tablename__ = "dummy_gateway_refunds"
    __table_args__ = (private_table(),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    ref: Mapped[str] = mapped_column(ForeignKey("dummy_gateway_charges.ref"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    amount_cents: Mapped[int]


def _events(charge, refunds):
    """Every movement of a charge, keyed as base.py says, from the gateway's books."""
    events = [Event(f"failed:{charge.ref}:{n}", charge.ref, "failed", 0, charge.currency,
                    "card_declined") for n in range(1, charge.declines + 1)]
    if charge.status == "requires_action":
        events.append(Event(f"action:{charge.ref}", charge.ref, "action", 0, charge.currency,
                            "requires_action"))
    if charge.authorised_cents:
        events.append(Event(f"auth:{charge.ref}", charge.ref, "authorised", charge.authorised_cents,
                            charge.currency, "requires_capture"))
    if charge.captured_cents:
        events.append(Event(f"capture:{charge.ref}", charge.ref, "captured", charge.captured_cents,
                            charge.currency, "succeeded"))
    if charge.status == "canceled":
        events.append(Event(f"void:{charge.ref}", charge.ref, "voided", 0, charge.currency, "canceled"))
    events += [Event(f"refund:{r.id}", charge.ref, "refunded", r.amount_cents, charge.currency,
                     "succeeded") for r in refunds]
    return events


class DummyProvider(Provider):
    name = "dummy"
    books_here = True

    def __init__(self, webhook_secret):
        self.webhook_secret = webhook_secret

    # The store's verbs ------------------------------------------------------------------

    def create(self, request):
        # The gateway's books only: nothing the store read needs reading again.
        with transaction(reload=False):
            return self.create_here(request)

    def create_here(self, request):
        ref = f"pi_dummy_{secrets.token_hex(12)}"
        made = insert_ignore(DummyCharge, ref=ref, idempotency_key=request.idempotency_key,
                             amount_cents=request.amount_cents, currency=request.currency,
                             capture=request.capture, status="requires_payment_method",
                             authorised_cents=0, captured_cents=0, declines=0,
                             description=request.description[:200],
                             return_url=request.return_url, created_at=utcnow())
        if not made:  # the same key again: the charge made the first time
            ref = db.session.scalars(select(DummyCharge.ref).where(
                DummyCharge.idempotency_key == request.idempotency_key)).one()
        return Created(ref, url_for("dummy_gateway.checkout_page", ref=ref))

    def capture(self, ref, amount_cents, idempotency_key):
        with transaction():
            charge = self._charge(ref)
            if charge.status == "requires_capture":
                if amount_cents > charge.authorised_cents:
                    raise ProviderError("amount_too_large", retryable=False)
                charge.status, charge.captured_cents = "succeeded", amount_cents
            elif not charge.captured_cents:
                raise ProviderError(f"cannot capture a {charge.status} payment", retryable=False)
        return self.lookup(ref)

    def void(self, ref, idempotency_key):
        with transaction():
            charge = self._charge(ref)
            if charge.status == "succeeded":
                raise ProviderError("cannot void a captured payment: refund it", retryable=False)
            charge.status = "canceled"
        return self.lookup(ref)

    def refund(self, ref, amount_cents, idempotency_key, reason=""):
        with transaction():
            charge = self._charge(ref)
            refunds = self._refunds(ref)
            if any(r.idempotency_key == idempotency_key for r in refunds):
                return _events(charge, refunds)  # the same request again: the same refund
            if amount_cents <= 0 or amount_cents > charge.captured_cents - sum(
                    r.amount_cents for r in refunds):
                raise ProviderError("refund exceeds what is left to refund", retryable=False)
            db.session.add(DummyRefund(id=f"re_dummy_{secrets.token_hex(12)}", ref=ref,
                                       idempotency_key=idempotency_key, amount_cents=amount_cents))
        return self.lookup(ref)

    def lookup(self, ref):
        return _events(self._charge(ref), self._refunds(ref))

    def verify_webhook(self, body, headers):
        try:
            WebhookSignature.verify_header(body, headers.get(SIGNATURE_HEADER), self.webhook_secret,
                                           tolerance=TOLERANCE)
            payload = json.loads(body)
            return Webhook(str(payload["id"]), tuple(Event(*e) for e in payload["events"]))
        except (SignatureVerificationError, ValueError, KeyError, TypeError) as error:
            raise BadSignature(str(error)) from error

    # The gateway's side: the buyer on its checkout page ----------------------------------

    def charge(self, ref):
        return db.session.get(DummyCharge, ref)

    def pay(self, ref, card_number):
        """The buyer submits a card; returns the charge's movements afterwards."""
        number = "".join(card_number.split())
        with transaction():
            charge = self._charge(ref)
            if charge.status != "requires_payment_method":
                raise ProviderError("this payment is not waiting for a card", retryable=False)
            if number == NEEDS_ACTION:
                charge.status = "requires_action"
            elif number == SUCCEEDS:
                self._succeed(charge)
            else:
                charge.declines += 1
        return self.lookup(ref)

    def confirm(self, ref, approve):
        """The extra step (3-D Secure): approved, the card succeeds; refused, it is declined."""
        with transaction():
            charge = self._charge(ref)
            if charge.status != "requires_action":
                raise ProviderError("this payment needs no confirmation", retryable=False)
            if approve:
                self._succeed(charge)
            else:
                charge.status, charge.declines = "requires_payment_method", charge.declines + 1
        return self.lookup(ref)

    def notification(self, events, timestamp=None):
        """A webhook body and headers for `events`, signed as the gateway signs."""
        body = json.dumps({"id": f"evt_dummy_{secrets.token_hex(12)}",
                           "events": [list(e) for e in events]})
        header = WebhookSignature.generate_signature_header(
            body, self.webhook_secret, timestamp=timestamp or int(time.time()))
        return body.encode(), {SIGNATURE_HEADER: header}

    # ---------------------------------------------------------------------------------------

    @staticmethod
    def _succeed(charge):
        if charge.capture:
            charge.status, charge.captured_cents = "succeeded", charge.amount_cents
        else:  # held on the card until captured or voided
            charge.status, charge.authorised_cents = "requires_capture", charge.amount_cents

    @staticmethod
    def _charge(ref):
        charge = db.session.execute(select(DummyCharge).where(DummyCharge.ref == ref)
                                    .with_for_update().execution_options(populate_existing=True)
                                    ).scalar_one_or_none()
        if charge is None:
            raise ProviderError("no such payment", retryable=False)
        return charge

    @staticmethod
    def _refunds(ref):
        return db.session.scalars(select(DummyRefund).where(DummyRefund.ref == ref)
                                  .order_by(DummyRefund.id)).all()


def from_config(config):
    return DummyProvider(config["PAYMENTS_DUMMY_WEBHOOK_SECRET"])

