"""users: a unique TR39 skeleton per username, so look-alike names cannot coexist

Existing rows are backfilled from community/accounts/names.py. Where two existing names
already share a skeleton, the older account keeps it and each later one gets its skeleton
with "#<id>" appended: nobody is renamed, and no new name can join either of them.

Revision ID: b5e1c7a9d3f2
Revises: 7d3e9a1c5b20
Create Date: 2026-12-06 18:30:00

"""
import sqlalchemy as sa
from alembic import op

from community.accounts.names import skeleton

# revision identifiers, used by Alembic.
revision = 'b5e1c7a9d3f2'
down_revision = '7d3e9a1c5b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('username_skeleton', sa.String(length=160), nullable=True))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('username', sa.String),
                     sa.column('username_skeleton', sa.String))
    connection = op.get_bind()
    seen = set()
    for user_id, username in connection.execute(
            sa.select(users.c.id, users.c.username).order_by(users.c.id)).all():
        value = skeleton(username)
        if value in seen:
            value = f"{value}#{user_id}"
        seen.add(value)
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(username_skeleton=value))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('username_skeleton', existing_type=sa.String(length=160),
                              nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_users_username_skeleton'),
                                          ['username_skeleton'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_username_skeleton'), type_='unique')
        batch_op.drop_column('username_skeleton')
