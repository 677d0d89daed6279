"""Pre-orders: pledges against a campaign's stock, traceable to where they came from."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.kernel.database import utcnow
from community.kernel.extensions import db

STATES = ("reserved", "confirmed", "cancelled")
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

    @property
    def total_cents(self):
        return self.unit_price_cents * self.quantity
