"""Pre-orders: pledges against a campaign's stock, traceable to where they came from."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
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

    campaign = relationship("Campaign", lazy="joined", innerjoin=True)
    tier = relationship("Tier", lazy="joined", innerjoin=True)
    buyer = relationship("User", lazy="joined", innerjoin=True, foreign_keys=[buyer_id])
    referrer = relationship("User", lazy="joined", foreign_keys=[referrer_id])

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
