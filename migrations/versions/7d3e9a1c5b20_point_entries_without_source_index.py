"""point entries: no index of their own on source

A withdrawn vote or like settles its ledger row through the unique (user_id, kind,
source) index; the source-only index was one more B-tree every award wrote (a vote
writes two awards).

Revision ID: 7d3e9a1c5b20
Revises: 0c1d2e3f4a5b
Create Date: 2026-12-06 04:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7d3e9a1c5b20'
down_revision = '0c1d2e3f4a5b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_point_entries_source')


def downgrade():
    with op.batch_alter_table('point_entries', schema=None) as batch_op:
        batch_op.create_index('ix_point_entries_source', ['source'], unique=False)
