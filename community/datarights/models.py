"""Data exports asked for and account closures waiting or done."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..kernel.database import utcnow
from ..kernel.dependencies import private_table
from ..kernel.extensions import db

EXPORT_STATES = ("queued", "ready", "downloaded", "expired", "failed")


class DataExport(db.Model):
    """One "download my data": queued, built by a worker into a zip in the storage
    backend (`file_name`, random), then mailed as a signed single-use link naming the
    export and its file, which works until `expires_at`."""

    __tablename__ = "data_exports"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'ready', 'downloaded', 'expired', 'failed')",
                        name="state"),
        Index("ix_data_exports_user", "user_id", "id"),
        Index("ix_data_exports_state", "state", "requested_at"),
        private_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12), default="queued", server_default="queued")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    ready_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    downloaded_at: Mapped[datetime | None]
    file_name: Mapped[str | None] = mapped_column(String(40))
    size: Mapped[int | None]


class AccountClosure(db.Model):
    """A member's "close my account": due once the grace period ends (signing in before
    then deletes this row), closed (anonymised) by a worker, and purged once the orders
    kept for the law's sake have outlived their retention."""

    __tablename__ = "account_closures"
    __table_args__ = (private_table(),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column(index=True)
    # True: posts stay under "deleted user"; False: they are removed.
    keep_posts: Mapped[bool] = mapped_column(default=True, server_default="1")
    closed_at: Mapped[datetime | None]
    purged_at: Mapped[datetime | None]
