"""moderation and audit logs: users by id only, their names dropped from detail

The logs copied the username into `detail`, where closing an account could not reach it
(the tables are append-only). They now name a user by id, and their pages show the name
as it is now. Rows written before lose the copied name here: the trigger that keeps the
tables append-only on PostgreSQL is set aside for this one change.

Revision ID: d2b4f6a8c0e1
Revises: c7a9e1b3d5f6
Create Date: 2026-12-08 01:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd2b4f6a8c0e1'
down_revision = 'c7a9e1b3d5f6'
branch_labels = None
depends_on = None

# The actions that wrote "<name>" or "<name> <rest>" as detail.
NAMED = ("warn", "suspend", "lift", "ban", "unban", "circle_ban", "circle_mute",
         "circle_remove", "circle_unban", "circle_unmute")


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for table in ("moderation_actions", "audit_entries"):
            op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
    find = "strpos" if postgresql else "instr"
    named = ", ".join(f"'{action}'" for action in NAMED)
    # "<name> until ...", "<name> in <circle>" -> what follows the name; "<name>" -> "".
    op.execute(f"""
        UPDATE moderation_actions SET detail = CASE
            WHEN {find}(detail, ' ') > 0 THEN substr(detail, {find}(detail, ' ') + 1)
            ELSE '' END
        WHERE target_type = 'user' AND action IN ({named}) AND detail != ''""")
    # A role change wrote "<name>: <old> -> <new>".
    op.execute(f"""
        UPDATE audit_entries SET detail = substr(detail, {find}(detail, ': ') + 2)
        WHERE action = 'role' AND target LIKE 'user:%' AND {find}(detail, ': ') > 0""")
    if postgresql:
        for table in ("moderation_actions", "audit_entries"):
            op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


def downgrade():
    pass  # the names are gone on purpose
