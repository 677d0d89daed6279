"""Reports: a member flags something they can see (a post, a thread, an idea, a profile, a
review, a message) for staff.

A report row per reporter and target; while it is open the database holds one per reporter
and target (a partial unique index), so a second report says so. A target row per reported
thing is the staff queue's row: a snapshot of what was reported (so the queue draws from its
own rows) and the counters the trusted-flag rule reads, moved by SQL arithmetic in the
report's transaction, so concurrent reports count right.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..kernel.database import utcnow
from ..kernel.dependencies import private_table
from ..kernel.extensions import db

REASONS = ("spam", "abuse", "off_topic", "illegal", "other")
# What staff decided: the content was removed (hidden), or no action.
OUTCOMES = ("removed", "dismissed")
TEXT_MAX = 500
TITLE_MAX = 200
_OPEN = text("resolved_at IS NULL")


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("reason IN ({})".format(", ".join(f"'{r}'" for r in REASONS)),
                        name="reason"),
        # One open report per reporter per target: the database decides, not a check.
        Index("ux_reports_open", "kind", "target_id", "reporter_id", unique=True,
              sqlite_where=_OPEN, postgresql_where=_OPEN),
        Index("ix_reports_target", "kind", "target_id", "id"),
        private_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(TEXT_MAX), default="", server_default="")
    # The reporter was at or above the trusted level when reporting.
    trusted: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(16))

    reporter = relationship("User", foreign_keys=[reporter_id], lazy="joined", innerjoin=True)


class ReportTarget(db.Model):
    """A reported thing: the queue's row while it has open reports."""

    __tablename__ = "report_targets"
    __table_args__ = (
        UniqueConstraint("kind", "target_id"),
        # The queue: targets with open reports, latest report first.
        Index("ix_report_targets_queue", "open_count", "last_reported_at"),
        private_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What was reported, as the first reporter saw it (a title or an excerpt).
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="", server_default="")
    open_count: Mapped[int] = mapped_column(default=0, server_default="0")
    trusted_count: Mapped[int] = mapped_column(default=0, server_default="0")
    first_reported_at: Mapped[datetime | None]
    last_reported_at: Mapped[datetime | None]
    # Hidden by trusted members' reports until staff look (a dismissal shows it again).
    auto_hidden: Mapped[bool] = mapped_column(default=False, server_default="0")

    author = relationship("User", lazy="joined")


class ReportSettings(db.Model):
    """One row (id 1), set by staff: the level from which a member's report counts
    towards hiding a target until staff look. Without it, REPORTS_TRUSTED_LEVEL."""

    __tablename__ = "report_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    trusted_level: Mapped[int]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
