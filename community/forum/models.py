"""Boards, threads, posts, likes and the moderation log.

Threads and posts are the one discussion system: ideas, product participation
threads and circle threads are threads of other kinds, so replies, likes, edits
and moderation work the same everywhere.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..kernel.database import utcnow
from ..kernel.dependencies import live
from ..kernel.extensions import db


class Board(db.Model):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Counters moved by SQL arithmetic in the transaction that adds the thread or post.
    thread_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    post_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    last_post_at: Mapped[datetime | None] = mapped_column(info=live())
    # Not a foreign key: boards and threads would reference each other in a cycle.
    last_thread_id: Mapped[int | None] = mapped_column(info=live())
    # Unlisted boards only hold threads read on their owner's pages (circles'):
    # they are not on the forum's index and have no board page.
    listed: Mapped[bool] = mapped_column(default=True, server_default="1")

    def __repr__(self):
        return f"<Board {self.slug}>"


class Thread(db.Model):
    __tablename__ = "threads"
    __table_args__ = (
        # The board page: pinned first, then latest activity; keyset pagination.
        Index("ix_threads_board_listing", "board_id", "listed", "pinned", "last_post_at", "id"),
        Index("ix_threads_author", "author_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # discussion, idea, product, circle: who owns the thread besides its board.
    kind: Mapped[str] = mapped_column(String(16), default="discussion", server_default="discussion")
    # Listed threads show on their board's page; idea discussions live on the idea page.
    listed: Mapped[bool] = mapped_column(default=True, server_default="1")
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(default=utcnow, info=live())
    reply_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    pinned: Mapped[bool] = mapped_column(default=False, server_default="0")
    locked: Mapped[bool] = mapped_column(default=False, server_default="0")
    hidden: Mapped[bool] = mapped_column(default=False, server_default="0")

    board = relationship("Board", lazy="joined", innerjoin=True)
    author = relationship("User", lazy="joined", innerjoin=True)

    def __repr__(self):
        return f"<Thread {self.id} {self.title!r}>"


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("thread_id", "position"),
        # A form submitted twice carries the same token: the second insert fails.
        UniqueConstraint("author_id", "submit_token"),
        Index("ix_posts_author", "author_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # 0 is the opening post; replies count up and keep their place when removed.
    position: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    hidden: Mapped[bool] = mapped_column(default=False, server_default="0")
    like_count: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    submit_token: Mapped[str | None] = mapped_column(String(64))

    thread = relationship("Thread", lazy="raise")
    author = relationship("User", lazy="joined", innerjoin=True)

    @property
    def is_reply(self):
        return self.position > 0

    def __repr__(self):
        return f"<Post {self.id} in {self.thread_id}>"


class PostLike(db.Model):
    __tablename__ = "post_likes"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModerationAction(db.Model):
    """Who did what to which thread, post or user, when, and why."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    reason: Mapped[str] = mapped_column(String(500), default="")
    # What the action and target alone do not say: a suspension's end, the circle of a
    # circle moderator's action.
    detail: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor = relationship("User", lazy="joined", innerjoin=True)
