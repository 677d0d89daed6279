"""The search outbox: which searchable rows changed, written in the transaction that
changed them and drained into the index after commit.

A row names only (kind, id); applying it re-reads the row, so a row applied twice, or
applied late, can never put stale text in the index. There is deliberately no unique
key on (kind, ref_id): a drain deletes the rows it read, by id, and a change committed
meanwhile must keep a row of its own.
"""

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from ..kernel.database import utcnow
from ..kernel.dependencies import live_table
from ..kernel.extensions import db


class SearchOutbox(db.Model):
    __tablename__ = "search_outbox"
    # A stored search page notes this table as "the index" (index.py). Every reply, idea
    # and edit writes a row and its drain deletes it, so at a few writes a second no
    # search page stayed stored; results may lag instead, by PAGE_CACHE_LIVE_SECONDS (README).
    __table_args__ = (live_table(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self):
        return f"<SearchOutbox {self.id} {self.kind}:{self.ref_id}>"


# PostgreSQL's full-text backend (community/search/pgindex.py). The tables exist on SQLite
# too, unused there: one schema for both databases keeps the migrations simple.
TSVECTOR_TYPE = Text().with_variant(TSVECTOR(), "postgresql")


class SearchDocument(db.Model):
    """One searchable document as the kinds' loaders describe it, with its words (jieba
    for Chinese, stems for Latin words, segmented in Python) as a weighted tsvector:
    title words weigh A, body words B."""

    __tablename__ = "search_documents"
    # Every reply, idea and edit writes its document in its own transaction: a live table
    # (as the outbox is for whoosh), so which hits a stored search page finds may lag by
    # PAGE_CACHE_LIVE_SECONDS, where what a hit shows is read by key and shows at once.
    __table_args__ = (
        Index("ix_search_documents_tsv", "tsv", postgresql_using="gin"),
        Index("ix_search_documents_indexed_at", "indexed_at"),
        # The newest matches first: what a common word's ranking and the date sort read.
        Index("ix_search_documents_created_at", "created_at", "ref_id"),
        live_table(),
    )

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    ref_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    board_id: Mapped[int | None]
    created_at: Mapped[datetime]
    tsv: Mapped[str] = mapped_column(TSVECTOR_TYPE)
    # When this row was last written: a rebuild removes the rows it did not write.
    indexed_at: Mapped[datetime]


class SearchWord(db.Model):
    """Latin words seen in documents, unstemmed: "did you mean" looks for a near spelling
    among them. Words are only added (a rebuild starts the list afresh): a word no
    document holds any more has no documents, so it is never suggested."""

    __tablename__ = "search_words"
    __table_args__ = (live_table(),)  # "did you mean" may lag new words, as results may

    word: Mapped[str] = mapped_column(String(64), primary_key=True)
