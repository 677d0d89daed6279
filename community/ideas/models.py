"""Ideas: feature proposals fans vote on and the brand answers.

An idea's body and discussion are a forum thread (kind "idea"), so replies,
likes, edits and moderation are the forum's own.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..kernel.database import utcnow
from ..kernel.dependencies import live
from ..kernel.extensions import db

STATUSES = ("open", "under_review", "planned", "in_progress", "shipped", "declined", "merged")
# Fans stop voting once the brand has decided (or the idea lives on elsewhere).
CLOSED_TO_VOTES = ("shipped", "declined", "merged")
_STATUS_CHECK = "status IN ({})".format(", ".join(f"'{s}'" for s in STATUSES))


class Idea(db.Model):
    __tablename__ = "ideas"
    __table_args__ = (
        CheckConstraint(_STATUS_CHECK, name="status"),
        CheckConstraint("votes >= 0", name="votes_not_negative"),
        # Every list reads one of these in order; a page costs a page.
        Index("ix_ideas_hot", "hot", "id"),
        Index("ix_ideas_board_hot", "board_id", "hot", "id"),
        Index("ix_ideas_status_hot", "status", "hot", "id"),
        Index("ix_ideas_votes", "votes", "id"),
        Index("ix_ideas_board_votes", "board_id", "votes", "id"),
        Index("ix_ideas_created", "created_at", "id"),
        Index("ix_ideas_board_created", "board_id", "created_at", "id"),
        Index("ix_ideas_status_changed", "status", "status_changed_at"),
        Index("ix_ideas_author", "author_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    votes: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
    # Reddit-style hot rank, rewritten in the transaction of every vote.
    hot: Mapped[float] = mapped_column(default=0.0, server_default="0", info=live())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)

    board = relationship("Board", lazy="joined", innerjoin=True)
    author = relationship("User", lazy="joined", innerjoin=True)
    thread = relationship("Thread", lazy="joined", innerjoin=True)
    tags = relationship("Tag", secondary="idea_tags", lazy="selectin", order_by="Tag.name")

    @property
    def title(self):
        # The thread's title: one source, edited through the forum's own edit.
        return self.thread.title

    @property
    def takes_votes(self):
        return self.status not in CLOSED_TO_VOTES

    def __repr__(self):
        return f"<Idea {self.id} {self.title!r}>"


class Tag(db.Model):
    """A board's own list of tags; ideas pick from it."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("board_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"))
    name: Mapped[str] = mapped_column(String(32))


class IdeaTag(db.Model):
    __tablename__ = "idea_tags"

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True, index=True)


class Vote(db.Model):
    """One per user per idea: the primary key says so."""

    __tablename__ = "votes"
    __table_args__ = (Index("ix_votes_idea", "idea_id", "created_at"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The live round this vote was spent in, if any: unvoting gives it back.
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"))
    # Set on votes a merge copied from another idea: they were earned there.
    merged_from_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))

    user = relationship("User", lazy="joined", innerjoin=True)


class StatusChange(db.Model):
    """The timeline of an idea: every status change with its official response."""

    __tablename__ = "idea_status_changes"
    # The Latest feed's newest status changes (community/latest): without it, each home
    # page sorted every change ever made (27 ms at the large seed's 100k ideas).
    __table_args__ = (Index("ix_idea_status_changes_created", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    response: Mapped[str] = mapped_column(Text, default="")
    response_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User", lazy="joined", innerjoin=True)


class IdeaCount(db.Model):
    """Ideas per (board, status), kept by SQL arithmetic: list totals without count(*)."""

    __tablename__ = "idea_counts"

    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(default=0, server_default="0", info=live())
