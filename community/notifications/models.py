"""Notification rows (one per recipient) and activity rows (one per event, for feeds).

Both are written by listeners on the domain signals, inside the transaction of
their cause, and both carry a snapshot of what they are about (title, excerpt):
a page of them renders from its own rows plus the joined actor, with no query
per row. The ids they keep (idea, thread, post, target) are links for building
URLs, not ownership, so they are plain columns: nothing they name is ever
deleted (posts are soft-deleted).
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..kernel.database import utcnow
from ..kernel.dependencies import private_table
from ..kernel.extensions import db

TITLE_MAX = 200
EXCERPT_MAX = 280

# Each kind is a separate choice for later per-kind mail preferences and digests.
KINDS = (
    "reply",          # a reply on your thread or idea
    "mention",        # @you in a post
    "idea_status",    # an idea you follow changed status (with the official response)
    "idea_response",  # staff answered on an idea you follow without changing its status
    "idea_merged",    # an idea you proposed or follow was merged into another
    "round_opened",   # a feedback round opened on a board you follow
    "round_accepted", # an idea you voted for was accepted from a round
    "new_idea",       # someone you follow proposed an idea
)


class EventColumns:
    """What happened, by whom, about what: shared by notifications and activities."""

    kind: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the event is about: ("post", id), ("idea", id), ("round", id), ("status_change", id).
    target_type: Mapped[str | None] = mapped_column(String(16))
    target_id: Mapped[int | None]
    idea_id: Mapped[int | None]
    thread_id: Mapped[int | None]
    post_id: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default="", server_default="")
    excerpt: Mapped[str] = mapped_column(String(EXCERPT_MAX), default="", server_default="")
    # A status name or a round's title, depending on the kind.
    detail: Mapped[str] = mapped_column(String(TITLE_MAX), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(EventColumns, db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        # The notifications page: a user's rows newest first, keyset on id.
        Index("ix_notifications_user", "user_id", "id"),
        # The bell counts unread rows only; a partial index holds just those, so it
        # stays small however much history piles up, and the count is capped anyway.
        # With id in it SQLite's planner prefers it over ix_notifications_user (measured:
        # 6.9 ms -> 0.01 ms for the bell on the large bench database).
        Index("ix_notifications_unread", "user_id", "id",
              sqlite_where=text("read_at IS NULL"), postgresql_where=text("read_at IS NULL")),
        # Mail for one fan-out picks the rows it wrote by time (mail/notify.py): without
        # this, each reply scanned every notification (134 ms at 915k rows, large seed).
        Index("ix_notifications_created", "created_at"),
        # ...by kind and time: SQLite's planner (no statistics) otherwise takes the unique
        # index below for `kind = ?` and reads every notification of the kind (a fan-out
        # at 915k rows: 620 -> 17 ms of CPU). The digests read by time alone, above.
        Index("ix_notifications_kind_created", "kind", "created_at"),
        # A notice sent in batches (mail/broadcast.py) reaches each person once: a batch
        # run again after a dead worker inserts nothing twice (NULL keys never clash).
        Index("ux_notifications_ref", "kind", "ref_key", "user_id", unique=True),
        private_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    read_at: Mapped[datetime | None]
    # What one event is, for notices that must reach each person once ("update:7").
    ref_key: Mapped[str | None] = mapped_column(String(48))

    actor = relationship("User", foreign_keys="Notification.actor_id", lazy="joined")

    def __repr__(self):
        return f"<Notification {self.id} {self.kind} for {self.user_id}>"


class Activity(EventColumns, db.Model):
    """One row per public event, read by the feeds of everyone following its actor,
    board or idea. Circles will add an audience column here and a filter in feed.py."""

    __tablename__ = "activities"
    __table_args__ = (
        # One index per way of following: the feed is a union of three index ranges.
        Index("ix_activities_actor", "actor_id", "id"),
        Index("ix_activities_board", "board_id", "id"),
        Index("ix_activities_idea", "idea_id", "id"),
        # Finds the feed window's first row.
        Index("ix_activities_created", "created_at"),
        Index("ix_activities_thread", "thread_id"),
        Index("ix_activities_post", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int | None]
    # Moderation hid the thread or post, or its author removed it: off every feed.
    hidden: Mapped[bool] = mapped_column(default=False, server_default="0")

    actor = relationship("User", foreign_keys="Activity.actor_id", lazy="joined")


class NoticeBatch(db.Model):
    """A notice to many people (a campaign's backers, a product's followers), written in
    the transaction that decides it and expanded by the worker in batches of recipients
    taken in user id order (mail/broadcast.py). `cursor` is the last user id done, moved
    in the same transaction as each batch's rows, so a worker killed mid-way leaves a
    cursor from which the next run goes on: nobody twice, nobody missed."""

    __tablename__ = "notice_batches"
    __table_args__ = (
        Index("ix_notice_batches_open", "done_at", "id"),
        private_table(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    ref_key: Mapped[str] = mapped_column(String(48))
    # Who: a registered audience (notifications/kinds.py) and its arguments.
    audience: Mapped[str] = mapped_column(String(32))
    audience_args: Mapped[dict] = mapped_column(JSON, default=dict)
    # What: the Notification columns every recipient's row gets (title, target, ...).
    notice: Mapped[dict] = mapped_column(JSON, default=dict)
    exclude_user_id: Mapped[int | None]
    cursor: Mapped[int] = mapped_column(default=0, server_default="0")
    sent: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
