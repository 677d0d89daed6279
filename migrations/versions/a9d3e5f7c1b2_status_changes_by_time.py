"""idea_status_changes: an index on (created_at, id), for the Latest feed

The home page's newest status changes sorted every change ever made.

Revision ID: a9d3e5f7c1b2
Revises: c2e8f4a6b1d3
Create Date: 2026-12-07 10:25:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a9d3e5f7c1b2'
down_revision = 'c2e8f4a6b1d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_idea_status_changes_created', 'idea_status_changes', ['created_at', 'id'])


def downgrade():
    op.drop_index('ix_idea_status_changes_created', table_name='idea_status_changes')
