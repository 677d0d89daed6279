"""Watched words and posts held for approval.

A held post is not a post yet: its fields wait here, and approving writes the post then
(forum/screening.py's publishers), so nothing anyone else reads (threads, boards, counts,
search, feeds, notifications, stored pages) can show it before. Only its author (their
"waiting for approval" page) and staff (the queue) read this table.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..kernel.database import utcnow
from ..kernel.dependencies import private_table
from ..kernel.extensions import db

ACTIONS = ("block", "hold", "replace")
STATES = ("pending", "approved", "rejected")
PATTERN_MAX = 200
REPLACEMENT_MAX = 100


class WatchedWord(db.Model):
    """A word (or, with is_regex, a pattern) staff watch for, and what its match does."""

    __tablename__ = "watched_words"
    __table_args__ = (UniqueConstraint("pattern", "is_regex"), private_table())

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern: Mapped[str] = mapped_column(String(PATTERN_MAX))
    is_regex: Mapped[bool] = mapped_column(default=False, server_default="0")
    # block: refused; hold: waits for approval; replace: written with `replacement`.
    action: Mapped[str] = mapped_column(String(8))
    replacement: Mapped[str] = mapped_column(String(REPLACEMENT_MAX), default="", server_default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HeldPost(db.Model):
    """A post kept back for staff: what its publisher needs to write it on approval."""

    __tablename__ = "held_posts"
    __table_args__ = (
        # A form sent twice is held once.
        UniqueConstraint("author_id", "submit_token"),
        Index("ix_held_posts_state", "state", "id"),
        Index("ix_held_posts_author", "author_id", "id"),
        private_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # A publisher's kind (forum/screening.py): thread, reply, idea, circle_thread.
    kind: Mapped[str] = mapped_column(String(16))
    fields: Mapped[dict] = mapped_column(JSON)
    # Why it waits, comma-separated: "links" (a new account's post with links), "words".
    reasons: Mapped[str] = mapped_column(String(64))
    # The watched words it matched, for staff.
    matched: Mapped[str] = mapped_column(String(500), default="", server_default="")
    submit_token: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12), default="pending", server_default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # The post approval wrote (a thread's opening post).
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))

    author = relationship("User", lazy="joined", innerjoin=True, foreign_keys=[author_id])
