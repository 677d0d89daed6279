"""co-creators: who on the staff granted co-creation, and when

Co-creation is earned (a contribution or a level) or granted by staff; the grant is
recorded on the co-creator row.

Revision ID: 3c5e7a9b1d24
Revises: b5e1c7a9d3f2
Create Date: 2026-12-08 10:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c5e7a9b1d24'
down_revision = 'b5e1c7a9d3f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cocreators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('granted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('granted_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_cocreators_granted_by_id_users'), 'users',
                                    ['granted_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('cocreators', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cocreators_granted_by_id_users'), type_='foreignkey')
        batch_op.drop_column('granted_at')
        batch_op.drop_column('granted_by_id')
