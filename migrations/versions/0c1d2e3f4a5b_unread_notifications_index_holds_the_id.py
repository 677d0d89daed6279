"""unread notifications index holds the id

Revision ID: 0c1d2e3f4a5b
Revises: 6bb235b27358
Create Date: 2026-11-25 17:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0c1d2e3f4a5b'
down_revision = '6bb235b27358'
branch_labels = None
depends_on = None

UNREAD = sa.text('read_at IS NULL')


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_unread', sqlite_where=UNREAD, postgresql_where=UNREAD)
        batch_op.create_index('ix_notifications_unread', ['user_id', 'id'], unique=False,
                              sqlite_where=UNREAD, postgresql_where=UNREAD)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_unread', sqlite_where=UNREAD, postgresql_where=UNREAD)
        batch_op.create_index('ix_notifications_unread', ['user_id'], unique=False,
                              sqlite_where=UNREAD, postgresql_where=UNREAD)
