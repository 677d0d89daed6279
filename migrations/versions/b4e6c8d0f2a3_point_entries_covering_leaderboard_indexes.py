"""point_entries: the leaderboards' indexes carry user_id and points

A period's leaderboard summed its entries by reading each one from the table; with the
two columns in the index the range is read from the index alone.

Revision ID: b4e6c8d0f2a3
Revises: a9d3e5f7c1b2
Create Date: 2026-12-08 00:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b4e6c8d0f2a3'
down_revision = 'a9d3e5f7c1b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_point_entries_day_totals', 'point_entries',
                    ['day', 'user_id', 'points'])
    op.create_index('ix_point_entries_board_day_totals', 'point_entries',
                    ['board_id', 'day', 'user_id', 'points'])
    op.drop_index('ix_point_entries_day', table_name='point_entries')
    op.drop_index('ix_point_entries_board_day', table_name='point_entries')


def downgrade():
    op.create_index('ix_point_entries_day', 'point_entries', ['day'])
    op.create_index('ix_point_entries_board_day', 'point_entries', ['board_id', 'day'])
    op.drop_index('ix_point_entries_board_day_totals', table_name='point_entries')
    op.drop_index('ix_point_entries_day_totals', table_name='point_entries')
