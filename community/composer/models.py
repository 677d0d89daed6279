"""A draft: what a fan has typed into one place and not yet posted."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..kernel.database import utcnow
from ..kernel.dependencies import private_table
from ..kernel.extensions import db

PLACE_MAX = 80
URL_MAX = 300
ERROR_MAX = 300


class Draft(db.Model):
    __tablename__ = "drafts"
    __table_args__ = (
        UniqueConstraint("user_id", "place"),
        Index("ix_drafts_user_updated", "user_id", "updated_at"),
        private_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    place: Mapped[str] = mapped_column(String(PLACE_MAX))
    # The page the box is on, to go back to it from the list of drafts.
    url: Mapped[str] = mapped_column(String(URL_MAX))
    body: Mapped[str] = mapped_column(Text)
    # Why the server refused this text when it was posted, shown beside it once.
    error: Mapped[str | None] = mapped_column(String(ERROR_MAX))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
