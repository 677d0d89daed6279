"""A reader's place in a thread."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ..kernel.database import utcnow
from ..kernel.dependencies import private_table
from ..kernel.extensions import db


class ReadMark(db.Model):
    """The highest post position `user_id` was shown of `thread_id`: one row per reader and
    thread, moved forward only (service.mark_read)."""

    __tablename__ = "read_marks"
    __table_args__ = private_table()

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"),
                                           primary_key=True)
    position: Mapped[int]
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
