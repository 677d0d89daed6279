"""notifications: an index on created_at, for the mail of one fan-out

Each reply, status change or other fan-out queues the mail of the notifications it just
wrote, picked by time; without an index that read every notification.

Revision ID: 8f2d4b6a1c37
Revises: 3c5e7a9b1d24
Create Date: 2026-12-06 22:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8f2d4b6a1c37'
down_revision = '3c5e7a9b1d24'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_notifications_created', 'notifications', ['created_at'])


def downgrade():
    op.drop_index('ix_notifications_created', table_name='notifications')
