"""The search outbox: which searchable rows changed, written in the transaction that
changed them and drained into the index after commit.

A row names only (kind, id); applying it re-reads the row, so a row applied twice, or
applied late, can never put stale text in the index. There is deliberately no unique
key on (kind, ref_id): a drain deletes the rows it read, by id, and a change committed
meanwhile must keep a row of its own.
"""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..kernel.database import utcnow
from ..kernel.extensions import db


class SearchOutbox(db.Model):
    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self):
        return f"<SearchOutbox {self.id} {self.kind}:{self.ref_id}>"
