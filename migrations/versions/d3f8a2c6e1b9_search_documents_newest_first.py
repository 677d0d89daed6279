"""search documents: an index to find the newest matches first

Revision ID: d3f8a2c6e1b9
Revises: a7e3c9d2b5f1
Create Date: 2026-12-07 08:10:00.000000

PostgreSQL's full-text search ranks the newest RANK_CAP matches of a query (not the first a
scan meets, which changed from one search to the next); the date sort reads the same order.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd3f8a2c6e1b9'
down_revision = 'a7e3c9d2b5f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_search_documents_created_at', 'search_documents',
                    ['created_at', 'ref_id'], unique=False)


def downgrade():
    op.drop_index('ix_search_documents_created_at', table_name='search_documents')
