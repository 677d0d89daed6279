"""notifications: an index on (kind, created_at), for the mail of one fan-out

SQLite's planner, with no statistics, read `kind = ?` through the unique (kind, ref_key,
user_id) index and so every notification of the kind, for each reply.

Revision ID: c2e8f4a6b1d3
Revises: d3f8a2c6e1b9
Create Date: 2026-12-07 10:05:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c2e8f4a6b1d3'
down_revision = 'd3f8a2c6e1b9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_notifications_kind_created', 'notifications', ['kind', 'created_at'])


def downgrade():
    op.drop_index('ix_notifications_kind_created', table_name='notifications')
