"""media_blobs: uploads stored in the database (FANFORGE_MEDIA_STORAGE=database)

Revision ID: c4d2f81e6a07
Revises: 7ae16d57efa2
Create Date: 2026-12-07 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d2f81e6a07'
down_revision = '7ae16d57efa2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('media_blobs',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_media_blobs'))
    )


def downgrade():
    op.drop_table('media_blobs')
