"""Feedback rounds: staff ask a board "what should we build next?" for a while."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..kernel.database import utcnow
from ..kernel.dependencies import live
from ..kernel.extensions import db


class Round(db.Model):
    __tablename__ = "rounds"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("vote_budget IS NULL OR vote_budget > 0", name="budget_positive"),
        Index("ix_rounds_window", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(120))
    brief: Mapped[str] = mapped_column(Text, default="")
    brief_html: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # Votes each fan may spend on the round's ideas; None means no limit.
    vote_budget: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set once, when the results freeze; the figures below are frozen with them.
    closed_at: Mapped[datetime | None]
    participant_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    idea_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    vote_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    # Set when the "round opened" notice has gone out (a scheduled round opens later).
    announced_at: Mapped[datetime | None]

    board = relationship("Board", lazy="joined", innerjoin=True)

    def state(self, now=None):
        now = now or utcnow()
        if self.closed_at is not None or now >= self.ends_at:
            return "closed"
        return "live" if now >= self.starts_at else "upcoming"

    def __repr__(self):
        return f"<Round {self.id} {self.title!r}>"


class RoundResult(db.Model):
    """The frozen ranking of a closed round."""

    __tablename__ = "round_results"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), primary_key=True)
    rank: Mapped[int]
    votes: Mapped[int]
    accepted: Mapped[bool] = mapped_column(default=False, server_default="0")

    idea = relationship("Idea", lazy="joined", innerjoin=True)


class RoundBudget(db.Model):
    """Votes a fan has spent in a round; the conditional UPDATE on `used` enforces the budget."""

    __tablename__ = "round_budgets"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    used: Mapped[int] = mapped_column(default=0, server_default="0")
