"""Release notes: what shipped, in staff's words, and whom it credits."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..kernel.database import utcnow
from ..kernel.extensions import db

CREDIT_KINDS = ("proposer", "cocreator")


class ReleaseNote(db.Model):
    __tablename__ = "release_notes"
    __table_args__ = (Index("ix_release_notes_published", "published_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReleaseNoteIdea(db.Model):
    """The ideas a note announces (shipped by it, or shipped before it)."""

    __tablename__ = "release_note_ideas"

    note_id: Mapped[int] = mapped_column(ForeignKey("release_notes.id"), primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), primary_key=True, index=True)


class ReleaseNoteCredit(db.Model):
    """A fan a note credits, written when it is published: the proposer of one of its
    ideas, or a co-creator of the product one grew into. One row per fan per note."""

    __tablename__ = "release_note_credits"
    __table_args__ = (CheckConstraint("kind IN ('proposer', 'cocreator')", name="kind"),
                      Index("ix_release_note_credits_user", "user_id", "note_id"))

    note_id: Mapped[int] = mapped_column(ForeignKey("release_notes.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
