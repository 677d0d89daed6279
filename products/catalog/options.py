"""What a buyer chooses: a product's options (colour, size, an engraving) and its sellable
variants (SKUs), each a combination of choice values with its own stock cap and price
difference. Campaign tiers x variants are what a pre-order picks (products/orders).

A variant's reserved units move like a tier's: one conditional UPDATE per order, so the
cap holds under any concurrency (and the CHECK below holds it in the schema too).
"""

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.kernel.dependencies import live
from community.kernel.extensions import db

KINDS = ("choice", "text")


class ProductOption(db.Model):
    """A choice (values to pick from: a colour, a size) or a text the buyer types (an
    engraving, at most max_length characters)."""

    __tablename__ = "product_options"
    __table_args__ = (
        CheckConstraint("kind IN ('choice', 'text')", name="kind"),
        CheckConstraint("max_length IS NULL OR max_length > 0", name="max_length_positive"),
        UniqueConstraint("product_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    max_length: Mapped[int | None]  # text options only
    required: Mapped[bool] = mapped_column(default=False, server_default="0")
    # The participation poll its values came from: the product page credits the voters.
    source_poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id"))

    values = relationship("OptionValue", lazy="selectin",
                          order_by="(OptionValue.position, OptionValue.id)")
    source_poll = relationship("Poll", lazy="joined")


class OptionValue(db.Model):
    __tablename__ = "option_values"
    __table_args__ = (UniqueConstraint("option_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("product_options.id"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0, server_default="0")


class VariantStock:
    """A variant's stock from its cap_units and reserved_units, for a Variant and for a
    row of one (VariantOnSale) alike."""

    __slots__ = ()

    @property
    def units_left(self):
        """None when only the campaign's cap limits it."""
        return None if self.cap_units is None else max(0, self.cap_units - self.reserved_units)

    @property
    def sold_out(self):
        return self.cap_units is not None and self.reserved_units >= self.cap_units


class VariantOnSale(VariantStock):
    """A variant as a pre-order form offers it (variants.for_buyers): read as a row."""

    __slots__ = ("id", "label", "price_delta_cents", "cap_units", "reserved_units")

    def __init__(self, variant_id, label, price_delta_cents, cap_units, reserved_units):
        self.id, self.label, self.price_delta_cents = variant_id, label, price_delta_cents
        self.cap_units, self.reserved_units = cap_units, reserved_units


class Variant(VariantStock, db.Model):
    """A sellable combination: its own stock cap (none: the campaign's cap alone) and a
    price difference added to the tier's price (never below zero in all)."""

    __tablename__ = "product_variants"
    __table_args__ = (
        UniqueConstraint("product_id", "sku"),
        CheckConstraint("cap_units IS NULL OR cap_units >= 0", name="cap_not_negative"),
        CheckConstraint("cap_units IS NULL OR reserved_units <= cap_units", name="within_cap"),
        CheckConstraint("reserved_units >= 0", name="reserved_not_negative"),
        Index("ix_product_variants_product", "product_id", "active", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    price_delta_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    cap_units: Mapped[int | None]
    reserved_units: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    active: Mapped[bool] = mapped_column(default=True, server_default="1")
    position: Mapped[int] = mapped_column(default=0, server_default="0")

    links = relationship("VariantValue", lazy="selectin")

    @property
    def value_ids(self):
        return frozenset(link.option_value_id for link in self.links)


class VariantValue(db.Model):
    """The choice values a variant is made of (one per choice option)."""

    __tablename__ = "variant_values"

    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variants.id"), primary_key=True)
    option_value_id: Mapped[int] = mapped_column(ForeignKey("option_values.id"), primary_key=True,
                                                 index=True)
