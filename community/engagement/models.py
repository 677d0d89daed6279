"""Engagement: the points ledger, daily check-ins and medals."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..kernel.database import utcnow
from ..kernel.dependencies import live_table
from ..kernel.extensions import db


class PointEntry(db.Model):
    """One award of points for one piece of activity.

    `source` names the activity ("post:12", "vote:5:7"), unique per user and kind,
    so awarding twice is impossible; `day` is the community's calendar day the
    activity happened on, which the daily caps count by.
    """

    __tablename__ = "point_entries"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "source"),
        Index("ix_point_entries_user_day", "user_id", "day", "kind"),
        # The leaderboards sum a period's points per user: with user_id and points in the
        # index, the period's range is read from the index alone, not row by row from the
        # table (a week of the large seed's ledger 94 -> 25 ms on SQLite).
        Index("ix_point_entries_board_day_totals", "board_id", "day", "user_id", "points"),
        Index("ix_point_entries_day_totals", "day", "user_id", "points"),
        # Every vote and reply writes here; the leaderboards it feeds may lag (README).
        live_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(24))
    source: Mapped[str] = mapped_column(String(48))
    points: Mapped[int]
    day: Mapped[date]
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CheckIn(db.Model):
    """签到: one per user per calendar day (the primary key says so)."""

    __tablename__ = "checkins"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    # Consecutive days ending with this one.
    streak: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserMedal(db.Model):
    """勋章: awarded by a rule, or by staff with a reason."""

    __tablename__ = "user_medals"
    __table_args__ = (Index("ix_user_medals_medal", "medal"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    medal: Mapped[str] = mapped_column(String(32), primary_key=True)
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")

    awarded_by = relationship("User", foreign_keys=[awarded_by_id], lazy="joined")
