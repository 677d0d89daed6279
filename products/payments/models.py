"""Payments, their append-only ledger, the webhooks seen, and the money moves still to do.

A payment is one request for money on an order (the whole price, a deposit or a
balance). What happened to it is only ever what the ledger says: each movement the
gateway reports is a row keyed by (provider, key), so the same movement heard from an
API reply, a webhook and a lookup is one row, and the payment's figures are sums over
its rows (ledger.derive), whatever order they came in.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from community.kernel.database import utcnow
from community.kernel.dependencies import private_table
from community.kernel.extensions import db

PURPOSES = ("full", "deposit", "balance")
STATUSES = ("created", "action", "authorised", "captured", "failed", "voided", "refunded")
ACTIONS = ("capture", "void", "refund")


def _among(column, values):
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("provider", "ref"),
        CheckConstraint(_among("purpose", PURPOSES), name="purpose"),
        CheckConstraint(_among("status", STATUSES), name="status"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("refunded_cents <= captured_cents", name="refund_within_capture"),
        Index("ix_payments_order", "order_id", "purpose"),
        private_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    provider: Mapped[str] = mapped_column(String(16))
    # The provider's id of the payment; set once the provider has created it.
    ref: Mapped[str | None] = mapped_column(String(128))
    purpose: Mapped[str] = mapped_column(String(8))
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    capture: Mapped[bool] = mapped_column(default=True)  # False: authorise, capture on success
    status: Mapped[str] = mapped_column(String(12), default="created", server_default="created")
    # Sums over the ledger (ledger.derive); never written any other way.
    authorised_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    captured_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    refunded_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    checkout_url: Mapped[str | None] = mapped_column(String(1000))
    # The provider's code for an embedded form or a QR code (WeChat Pay's code_url).
    client_secret: Mapped[str | None] = mapped_column(String(500))
    # Why staff must look (an amount or currency the order did not ask for).
    flag: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Loaded when asked: a payment read on the hot paths (webhooks) needs none of the
    # order's own joins.
    order = relationship("Order", viewonly=True,
                         backref=backref("payments", order_by="Payment.id", viewonly=True))


class LedgerEntry(db.Model):
    """One money movement as the gateway reported it. Rows are only ever inserted."""

    __tablename__ = "payment_ledger"
    __table_args__ = (
        UniqueConstraint("provider", "key"),
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        Index("ix_payment_ledger_payment", "payment_id", "id"),
        Index("ix_payment_ledger_order", "order_id", "id"),
        private_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    provider: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(12))
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    raw_status: Mapped[str] = mapped_column(String(64))
    # How we heard: "webhook", "reply" (an API answer) or "lookup" (the reconcile job).
    source: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order = relationship("Order", viewonly=True,
                         backref=backref("ledger", order_by="LedgerEntry.id", viewonly=True))


class WebhookReceipt(db.Model):
    """A notification already handled: its replay is answered and changes nothing."""

    __tablename__ = "payment_webhooks"
    __table_args__ = (private_table(),)

    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class PaymentAction(db.Model):
    """A capture, void or refund to ask of the provider: written in the transaction that
    decides it (a campaign settling, staff refunding), done by the worker in batches.
    `key` is the idempotency key the provider gets, so a retry after a crash repeats the
    same request and the provider answers with the same movement."""

    __tablename__ = "payment_actions"
    __table_args__ = (
        CheckConstraint(_among("kind", ACTIONS), name="kind"),
        CheckConstraint("state IN ('pending', 'done', 'failed')", name="state"),
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        UniqueConstraint("key"),
        Index("ix_payment_actions_due", "state", "next_at"),
        private_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    amount_cents: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200), default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker's claim; an expired claim (the worker died) is free for the next one.
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]

    payment = relationship("Payment")
