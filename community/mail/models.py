"""The mail outbox (one row per mail to send) and each fan's choices per notification kind."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..kernel.database import utcnow
from ..kernel.dependencies import private_table
from ..kernel.extensions import db

STATUSES = ("queued", "sent", "failed", "skipped")
CHOICES = ("immediate", "digest", "never")


class MailOutbox(db.Model):
    """A mail to send. Written in the transaction of its cause; a worker claims it, renders
    it in the recipient's language at send time and marks it sent. The row says what to
    send, not the text, so a fan-out to many followers stays one INSERT ... SELECT."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sent', 'failed', 'skipped')", name="status"),
        # One mail per notification, one digest per user and day (ref_id is then yyyymmdd).
        UniqueConstraint("kind", "user_id", "ref_id"),
        # The claim query: due rows, oldest first.
        Index("ix_mail_outbox_due", "status", "next_attempt_at"),
        private_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # A fixed address (a new one to confirm, a reset request); else the user's at send time.
    to_addr: Mapped[str | None] = mapped_column(String(254))
    ref_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(8), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker's claim; an expired claim (the worker died) is free for the next one.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    def message_id(self, domain):
        """Stable across retries, so a receiver can tell a mail sent twice (a worker killed
        between the server's "250 OK" and marking the row) from two mails."""
        stamp = self.created_at.strftime("%Y%m%d%H%M%S%f")
        return f"<fanforge.{self.id}.{stamp}@{domain}>"

    def __repr__(self):
        return f"<MailOutbox {self.id} {self.kind} {self.status}>"


class MailPreference(db.Model):
    """A fan's choice for one notification kind; no row means the kind's default."""

    __tablename__ = "mail_preferences"
    __table_args__ = (
        CheckConstraint("choice IN ('immediate', 'digest', 'never')", name="choice"),
        private_table(),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    choice: Mapped[str] = mapped_column(String(10))
