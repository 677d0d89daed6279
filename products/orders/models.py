"""Pre-orders: pledges against a campaign's stock, traceable to where they came from."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, case
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.kernel.database import utcnow
from community.kernel.extensions import db

STATES = ("reserved", "confirmed", "cancelled")
# What the ledger says of the order's money (payments/ledger.py derives it):
# none (the campaign takes no payment), awaiting, authorised (held, charged on success),
# deposit_paid (the balance to come), paid, refunded (all of it given back).
PAYMENT_STATUSES = ("none", "awaiting", "authorised", "deposit_paid", "paid", "refunded")
# Where the buyer was when they ordered.
SOURCES = ("product", "thread", "idea", "conversation", "circle", "api")


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        # A double click or a retried request carries the same key: one order.
        UniqueConstraint("buyer_id", "idempotency_key"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("state IN ('reserved', 'confirmed', 'cancelled')", name="state"),
        CheckConstraint("referrer_id IS NULL OR referrer_id <> buyer_id", name="not_self_referred"),
        CheckConstraint("payment_status IN ('none', 'awaiting', 'authorised', 'deposit_paid', "
                        "'paid', 'refunded')", name="payment_status"),
        # The reservation sweep: unpaid orders whose hold has run out.
        Index("ix_orders_pay_by", "payment_status", "pay_by"),
        Index("ix_orders_campaign", "campaign_id", "state"),
        Index("ix_orders_buyer", "buyer_id", "id"),
        Index("ix_orders_referrer", "referrer_id", "campaign_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    quantity: Mapped[int]
    unit_price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(12), default="reserved", server_default="reserved")
    idempotency_key: Mapped[str] = mapped_column(String(64))
    # A digest of what was asked, so the same key with a different body is refused.
    request_digest: Mapped[str] = mapped_column(String(64))
    referrer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source_kind: Mapped[str] = mapped_column(String(16), default="product", server_default="product")
    source_id: Mapped[int | None]
    f_code_id: Mapped[int | None] = mapped_column(ForeignKey("f_codes.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(32))
    # Payment: the units are held until pay_by; the sums come from the ledger.
    payment_status: Mapped[str] = mapped_column(String(12), default="none", server_default="none")
    pay_by: Mapped[datetime | None]
    paid_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    refunded_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    balance_due_by: Mapped[datetime | None]
    # Why staff must look (a payment that did not match the order); never marked paid by it.
    flag: Mapped[str | None] = mapped_column(String(200))
    # The variant chosen (products/catalog/options.py), its label as it read when ordered,
    # and the buyer's texts for the product's text options, as a JSON object
    # {option name: text} (products/catalog/variants.py reads it back).
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("product_variants.id"))
    variant_label: Mapped[str | None] = mapped_column(String(200))
    personalisation: Mapped[str | None] = mapped_column(Text)

    campaign = relationship("Campaign", lazy="joined", innerjoin=True)
    tier = relationship("Tier", lazy="joined", innerjoin=True)
    buyer = relationship("User", lazy="joined", innerjoin=True, foreign_keys=[buyer_id])
    referrer = relationship("User", lazy="joined", foreign_keys=[referrer_id])
    # order.payments and order.ledger come from products/payments/models.py (backrefs):
    # payments/ builds on orders, not the other way round.

    @property
    def total_cents(self):
        return self.unit_price_cents * self.quantity

    # ---- Delivery (products/addresses, products/fulfilment) ----
    # A copy of the address chosen at checkout: editing or deleting the address book entry
    # never changes a placed order. Lengths match products/addresses/models.py.
    ship_name: Mapped[str | None] = mapped_column(String(80))
    ship_phone: Mapped[str | None] = mapped_column(String(24))
    ship_country: Mapped[str | None] = mapped_column(String(2))
    ship_region: Mapped[str | None] = mapped_column(String(80))
    ship_city: Mapped[str | None] = mapped_column(String(80))
    ship_address: Mapped[str | None] = mapped_column(String(500))  # district and street lines
    ship_postal_code: Mapped[str | None] = mapped_column(String(16))
    # NULL (waiting) -> in_production -> shipped -> delivered, for confirmed orders only;
    # fulfilment/service.py moves it forward by conditional UPDATEs.
    fulfilment_status: Mapped[str | None] = mapped_column(String(16), CheckConstraint(
        "fulfilment_status IN ('in_production', 'shipped', 'delivered')",
        name="fulfilment_status"))
    in_production_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking_number: Mapped[str | None] = mapped_column(String(64))

    @property
    def has_shipping_address(self):
        return self.ship_name is not None


# A cancelled order owes nothing: one still awaiting payment says "none" from then on.
NOTHING_OWED = case((Order.payment_status == "awaiting", "none"), else_=Order.payment_status)
