"""Conversations: direct (two fans) and group (up to 50), their messages and blocks
(reports on messages are community/reports').

A participant row carries its conversation's latest message id, moved for everyone in one
UPDATE with each message, beside the id they have read up to: "is anything unread" is then
a comparison inside one row, which a partial index holds for exactly the unread rows, so
the envelope in the header costs one small query however many conversations someone has.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..kernel.database import utcnow
from ..kernel.dependencies import private_table
from ..kernel.extensions import db

KINDS = ("direct", "group")
_UNREAD = "last_message_id > last_read_message_id AND muted = false"


class Conversation(db.Model):
    __tablename__ = "conversations"
    __table_args__ = (CheckConstraint("kind IN ('direct', 'group')", name="kind"), private_table())

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str | None] = mapped_column(String(100))
    # "small_id:large_id" for a direct conversation: one per pair, the database says so.
    direct_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    member_count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_message_id: Mapped[int] = mapped_column(default=0, server_default="0")
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)


class Participant(db.Model):
    __tablename__ = "conversation_participants"
    __table_args__ = (
        # A fan's conversations, latest first.
        Index("ix_participants_user", "user_id", "last_message_id"),
        Index("ix_participants_unread", "user_id",
              sqlite_where=text(_UNREAD), postgresql_where=text(_UNREAD)),
        private_table(),
    )

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Messages up to this id were sent before they joined: not theirs to read.
    since_message_id: Mapped[int] = mapped_column(default=0, server_default="0")
    last_read_message_id: Mapped[int] = mapped_column(default=0, server_default="0")
    last_message_id: Mapped[int] = mapped_column(default=0, server_default="0")
    muted: Mapped[bool] = mapped_column(default=False, server_default="0")

    conversation = relationship("Conversation", lazy="joined", innerjoin=True)
    user = relationship("User", lazy="joined", innerjoin=True)


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        # The poll: one conversation's messages after an id.
        Index("ix_messages_conversation", "conversation_id", "id"),
        # A card's sharer for an order's referrer.
        Index("ix_messages_card", "conversation_id", "card_kind", "card_id"),
        CheckConstraint("body <> '' OR card_kind IS NOT NULL", name="not_empty"),
        private_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # A share card: only (kind, id), rendered live (community/cards/__init__.py).
    card_kind: Mapped[str | None] = mapped_column(String(16))
    card_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Staff hid it after a report.
    hidden: Mapped[bool] = mapped_column(default=False, server_default="0")

    author = relationship("User", lazy="joined", innerjoin=True)

    @property
    def card(self):
        return (self.card_kind, self.card_id) if self.card_kind else None


class Block(db.Model):
    """The blocker hears nothing more from the blocked: no messages, no group adds."""

    __tablename__ = "user_blocks"
    __table_args__ = (CheckConstraint("blocker_id <> blocked_id", name="not_self"),
                      Index("ix_user_blocks_blocked", "blocked_id", "blocker_id"), private_table())

    blocker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    blocked_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    blocked = relationship("User", foreign_keys=[blocked_id], lazy="joined", innerjoin=True)
