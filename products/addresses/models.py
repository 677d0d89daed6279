"""A buyer's address book: where pre-orders are sent. Nobody but the owner sees an entry;
staff see the copy an order keeps (orders.ship_*), never the book."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from community.kernel.database import utcnow
from community.kernel.dependencies import private_table
from community.kernel.extensions import db

# Bounds shared by the table, the forms, the API schema and the order's copy.
NAME_MAX, PHONE_MAX, REGION_MAX, CITY_MAX, STREET_MAX, POSTAL_MAX = 80, 24, 80, 80, 200, 16


class Address(db.Model):
    __tablename__ = "addresses"
    __table_args__ = (
        Index("ix_addresses_user", "user_id", "id"),
        # At most one default per owner: the schema says so, not a Python check.
        Index("uq_addresses_one_default", "user_id", unique=True,
              sqlite_where=text("is_default"), postgresql_where=text("is_default")),
        private_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(NAME_MAX))
    phone: Mapped[str] = mapped_column(String(PHONE_MAX))
    # ISO 3166-1 alpha-2.
    country: Mapped[str] = mapped_column(String(2), default="CN", server_default="CN")
    region: Mapped[str] = mapped_column(String(REGION_MAX))  # province, state
    city: Mapped[str] = mapped_column(String(CITY_MAX))
    district: Mapped[str | None] = mapped_column(String(CITY_MAX))
    street: Mapped[str] = mapped_column(String(STREET_MAX))
    street2: Mapped[str | None] = mapped_column(String(STREET_MAX))
    postal_code: Mapped[str | None] = mapped_column(String(POSTAL_MAX))
    is_default: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def lines(self):
        """The address as it is written on a parcel."""
        streets = [p for p in (self.district, self.street, self.street2) if p]
        return format_lines(self.country, self.region, self.city, streets, self.postal_code)


def format_lines(country, region, city, streets, postal_code):
    """Chinese addresses from the largest place down, others from the street up."""
    if country == "CN":
        place = " ".join(p for p in (region, city) if p)
        return [line for line in (place, *streets, postal_code) if line]
    town = " ".join(p for p in (city, region, postal_code) if p)
    return [line for line in (*streets, town, country) if line]
