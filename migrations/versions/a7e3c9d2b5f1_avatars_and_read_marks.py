"""avatars (users.avatar) and read marks (read_marks)

Revision ID: a7e3c9d2b5f1
Revises: b7e3a1c9d2f4
Create Date: 2026-12-07 06:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7e3c9d2b5f1'
down_revision = 'b7e3a1c9d2f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('avatar', sa.String(length=32), nullable=True))

    op.create_table('read_marks',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_read_marks_thread_id_threads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_read_marks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'thread_id', name=op.f('pk_read_marks'))
    )


def downgrade():
    op.drop_table('read_marks')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('avatar')
