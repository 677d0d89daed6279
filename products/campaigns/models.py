"""Pre-order campaigns: a goal, a stock cap, a window, tiers, and F-codes."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.kernel.database import utcnow
from community.kernel.dependencies import live
from community.kernel.extensions import db

STATES = ("draft", "scheduled", "live", "succeeded", "failed", "cancelled")
_STATE_CHECK = "state IN ({})".format(", ".join(f"'{s}'" for s in STATES))
# How a campaign charges: "full" now (refunded if it fails), "deposit" now and the balance
# after success, "authorise" now and charge on success, or "none" (a reservation, 预约).
CHARGE_MODES = ("full", "deposit", "authorise", "none")
MAX_INCLUDES = 500  # characters of a tier's "what is included"


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(_STATE_CHECK, name="state"),
        CheckConstraint("goal_units > 0 AND cap_units >= goal_units", name="goal_within_cap"),
        # The stock rule lives in the schema too: no write can oversell.
        CheckConstraint("reserved_units >= 0 AND reserved_units <= cap_units", name="within_cap"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("per_buyer_limit > 0", name="per_buyer_positive"),
        CheckConstraint("charge_mode IN ('full', 'deposit', 'authorise', 'none')", name="charge_mode"),
        CheckConstraint("charge_mode <> 'deposit' OR (deposit_percent BETWEEN 1 AND 90 "
                        "AND balance_days BETWEEN 1 AND 60)", name="deposit_terms"),
        Index("ix_campaigns_due", "state", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    goal_units: Mapped[int]
    cap_units: Mapped[int]
    reserved_units: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    backer_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    per_buyer_limit: Mapped[int]
    # draft -> scheduled/live (published) -> succeeded/failed (settled), or cancelled.
    # "scheduled" and "live" are one stored state told apart by the clock: see effective_state.
    state: Mapped[str] = mapped_column(String(12), default="draft", server_default="draft")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    settled_at: Mapped[datetime | None]
    charge_mode: Mapped[str] = mapped_column(String(10), default="full", server_default="none")
    # Deposit terms, shown before paying: the share of the price paid now, the days after
    # success the balance is due within, and whether an unpaid balance refunds the deposit.
    deposit_percent: Mapped[int | None]
    balance_days: Mapped[int | None]
    deposit_refundable: Mapped[bool] = mapped_column(default=True, server_default="1")

    product = relationship("Product", lazy="joined", innerjoin=True)
    tiers = relationship("Tier", lazy="selectin", order_by="Tier.position")

    def effective_state(self, now=None):
        """The state a buyer sees: a published campaign is scheduled, live or due to settle."""
        now = now or utcnow()
        if self.state not in ("scheduled", "live"):
            return self.state
        if now < self.starts_at:
            return "scheduled"
        return "live" if now < self.ends_at else "ended"

    @property
    def units_left(self):
        return self.cap_units - self.reserved_units


class Tier(db.Model):
    __tablename__ = "tiers"
    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint("limit_units IS NULL OR (reserved_units <= limit_units)", name="within_limit"),
        CheckConstraint("reserved_units >= 0", name="reserved_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    price_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    limit_units: Mapped[int | None]
    reserved_units: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    # What the tier includes, in staff's words, shown on its tier card ("" when not said).
    includes: Mapped[str] = mapped_column(String(MAX_INCLUDES), default="", server_default="")
    # Until then the tier is open only to co-creators and F-code holders.
    early_until: Mapped[datetime | None]
    position: Mapped[int] = mapped_column(default=0, server_default="0")


class CampaignBuyer(db.Model):
    """Units a buyer holds in a campaign: the per-buyer limit is a conditional UPDATE here."""

    __tablename__ = "campaign_buyers"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    units: Mapped[int] = mapped_column(default=0, server_default="0")


class FCode(db.Model):
    """Xiaomi's priority right: a single-use code, bound to one account, for the early window."""

    __tablename__ = "f_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set while an order holds the code (orders.f_code_id names it); a cancelled
    # order clears it, giving the code back.
    used_at: Mapped[datetime | None]
