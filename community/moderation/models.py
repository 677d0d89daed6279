"""A member's record: every warning, suspension and ban staff gave them.

The current suspension and ban also sit on the account (users.suspended_until,
users.banned_at), written in the same transaction, so the request guard reads them with
the signed-in user and needs no statement of its own. A row here is never deleted; a
suspension lifted early says when and by whom.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..kernel.database import utcnow
from ..kernel.extensions import db

KINDS = ("warning", "suspension", "ban")


class Sanction(db.Model):
    __tablename__ = "sanctions"
    __table_args__ = (
        CheckConstraint("kind IN ('warning', 'suspension', 'ban')", name="kind"),
        CheckConstraint("kind = 'suspension' OR ends_at IS NULL", name="only_suspensions_end"),
        Index("ix_sanctions_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime | None]
    # Lifted early (a suspension) or undone (a ban): when and by whom.
    lifted_at: Mapped[datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The conversation a warning was sent in (None when the member blocks the sender).
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))

    actor = relationship("User", foreign_keys=[actor_id], lazy="joined", innerjoin=True)
    lifted_by = relationship("User", foreign_keys=[lifted_by_id], lazy="joined")

    def is_active(self, now):
        if self.lifted_at is not None:
            return False
        return self.kind == "ban" or (self.kind == "suspension" and self.ends_at > now)
