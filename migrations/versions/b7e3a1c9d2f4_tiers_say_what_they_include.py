"""tiers say what they include

Revision ID: b7e3a1c9d2f4
Revises: e5b7c2d9a4f1
Create Date: 2026-12-07 06:05:00.000000

A tier card shows its price, what it includes, its units left and its early terms to every
reader; "what it includes" is staff's text, empty on the tiers made before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e3a1c9d2f4'
down_revision = 'e5b7c2d9a4f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('includes', sa.String(length=500), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('tiers', schema=None) as batch_op:
        batch_op.drop_column('includes')
