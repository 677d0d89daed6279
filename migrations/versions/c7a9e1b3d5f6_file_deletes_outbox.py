"""file_deletes: stored files to delete after the commit that dropped them, retried

Revision ID: c7a9e1b3d5f6
Revises: b4e6c8d0f2a3
Create Date: 2026-12-08 00:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c7a9e1b3d5f6'
down_revision = 'b4e6c8d0f2a3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'file_deletes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('area', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('next_try_at', sa.DateTime(), nullable=False),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_file_deletes_due', 'file_deletes', ['next_try_at'])


def downgrade():
    op.drop_index('ix_file_deletes_due', table_name='file_deletes')
    op.drop_table('file_deletes')
