"""search documents and words, for PostgreSQL's full-text search

Revision ID: c4d1e8f2a9b7
Revises: c4d2f81e6a07
Create Date: 2026-12-07 03:30:00.000000

The tables are made on SQLite too (unused there: SQLite always searches with whoosh);
the tsvector column is TEXT there and the GIN index a plain one over an empty table.
After upgrading a PostgreSQL site, `flask search rebuild` fills them.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'c4d1e8f2a9b7'
down_revision = 'c4d2f81e6a07'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_documents',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ref_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tsv', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=False),
    sa.Column('indexed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'ref_id', name=op.f('pk_search_documents'))
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index('ix_search_documents_indexed_at', ['indexed_at'], unique=False)
        batch_op.create_index('ix_search_documents_tsv', ['tsv'], unique=False, postgresql_using='gin')

    op.create_table('search_words',
    sa.Column('word', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_words'))
    )


def downgrade():
    op.drop_table('search_words')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_search_documents_tsv', postgresql_using='gin')
        batch_op.drop_index('ix_search_documents_indexed_at')

    op.drop_table('search_documents')
