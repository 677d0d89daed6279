"""The staff audit log's table, and the append-only guard it shares with the moderation log.

Nothing in the code updates or deletes either table; on PostgreSQL a trigger refuses it
too, so even a hand-written statement cannot rewrite history. The one exception is a
session that says `SET LOCAL fanforge.purge = 'on'` before a DELETE: the test suite's
emptying of the database between tests (tests/conftest.py).
"""

from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..kernel.database import utcnow
from ..kernel.dependencies import private_table
from ..kernel.extensions import db

APPEND_ONLY_TABLES = ("audit_entries", "moderation_actions")

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION fanforge_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('fanforge.purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the table % is append-only', TG_TABLE_NAME;
END
$$ LANGUAGE plpgsql
"""


def append_only_statements():
    """The PostgreSQL statements that make APPEND_ONLY_TABLES refuse UPDATE and DELETE
    (for the migration, and for create_all below)."""
    yield APPEND_ONLY_FUNCTION
    for table in APPEND_ONLY_TABLES:
        yield f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"
        yield (f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
               "FOR EACH ROW EXECUTE FUNCTION fanforge_append_only()")


class AuditEntry(db.Model):
    """Who did what to which object, when: one row per staff action, never changed."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_target", "target", "id"), private_table())

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: the command line (`flask users set-role`) or the worker acted.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor = relationship("User", lazy="joined")


for _statement in append_only_statements():
    # '%' is DDL's own escape character; the message's placeholder is PostgreSQL's.
    event.listen(db.metadata, "after_create",
                 DDL(_statement.replace("%", "%%")).execute_if(dialect="postgresql"))
