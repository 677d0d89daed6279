"""circles, meetups, conversations, messages, blocks, reports

Revision ID: 6bb235b27358
Revises: 5842182e29a5
Create Date: 2026-11-25 16:53:35.684209

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6bb235b27358'
down_revision = '5842182e29a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('circles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=16), server_default='interest', nullable=False),
    sa.Column('city', sa.String(length=64), nullable=True),
    sa.Column('visibility', sa.String(length=16), server_default='open', nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('member_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('thread_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_activity_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('interest', 'city')", name=op.f('ck_circles_kind')),
    sa.CheckConstraint("visibility IN ('open', 'approval', 'private')", name=op.f('ck_circles_visibility')),
    sa.CheckConstraint('member_count >= 0', name=op.f('ck_circles_member_count_not_negative')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_circles_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circles')),
    sa.UniqueConstraint('slug', name=op.f('uq_circles_slug'))
    )
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.create_index('ix_circles_directory_activity', ['visibility', 'last_activity_at', 'id'], unique=False)
        batch_op.create_index('ix_circles_directory_members', ['visibility', 'member_count', 'id'], unique=False)
        batch_op.create_index('ix_circles_kind_city', ['kind', 'city', 'member_count'], unique=False)

    op.create_table('conversations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=True),
    sa.Column('direct_key', sa.String(length=32), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('member_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_message_id', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_message_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('direct', 'group')", name=op.f('ck_conversations_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_conversations_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations')),
    sa.UniqueConstraint('direct_key', name=op.f('uq_conversations_direct_key'))
    )
    op.create_table('user_blocks',
    sa.Column('blocker_id', sa.Integer(), nullable=False),
    sa.Column('blocked_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('blocker_id <> blocked_id', name=op.f('ck_user_blocks_not_self')),
    sa.ForeignKeyConstraint(['blocked_id'], ['users.id'], name=op.f('fk_user_blocks_blocked_id_users')),
    sa.ForeignKeyConstraint(['blocker_id'], ['users.id'], name=op.f('fk_user_blocks_blocker_id_users')),
    sa.PrimaryKeyConstraint('blocker_id', 'blocked_id', name=op.f('pk_user_blocks'))
    )
    with op.batch_alter_table('user_blocks', schema=None) as batch_op:
        batch_op.create_index('ix_user_blocks_blocked', ['blocked_id', 'blocker_id'], unique=False)

    op.create_table('circle_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('going_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('waitlist_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_circle_events_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_circle_events_ends_after_start')),
    sa.CheckConstraint('going_count >= 0 AND going_count <= capacity', name=op.f('ck_circle_events_within_capacity')),
    sa.CheckConstraint('waitlist_count >= 0', name=op.f('ck_circle_events_waitlist_not_negative')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_events_circle_id_circles')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_circle_events_created_by_id_users')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_circle_events_thread_id_threads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_events')),
    sa.UniqueConstraint('thread_id', name=op.f('uq_circle_events_thread_id'))
    )
    with op.batch_alter_table('circle_events', schema=None) as batch_op:
        batch_op.create_index('ix_circle_events_circle', ['circle_id', 'starts_at'], unique=False)

    op.create_table('circle_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('max_uses', sa.Integer(), nullable=False),
    sa.Column('uses', sa.Integer(), server_default='0', nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('uses >= 0 AND uses <= max_uses', name=op.f('ck_circle_invites_within_uses')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_invites_circle_id_circles')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_circle_invites_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_invites')),
    sa.UniqueConstraint('token', name=op.f('uq_circle_invites_token'))
    )
    with op.batch_alter_table('circle_invites', schema=None) as batch_op:
        batch_op.create_index('ix_circle_invites_circle', ['circle_id', 'id'], unique=False)

    op.create_table('circle_members',
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), server_default='member', nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("role IN ('owner', 'moderator', 'member')", name=op.f('ck_circle_members_role')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_members_circle_id_circles')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_circle_members_user_id_users')),
    sa.PrimaryKeyConstraint('circle_id', 'user_id', name=op.f('pk_circle_members'))
    )
    with op.batch_alter_table('circle_members', schema=None) as batch_op:
        batch_op.create_index('ix_circle_members_user', ['user_id', 'circle_id'], unique=False)
        batch_op.create_index('uq_circle_members_owner', ['circle_id'], unique=True, sqlite_where=sa.text("role = 'owner'"), postgresql_where=sa.text("role = 'owner'"))

    op.create_table('circle_requests',
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_requests_circle_id_circles')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_circle_requests_user_id_users')),
    sa.PrimaryKeyConstraint('circle_id', 'user_id', name=op.f('pk_circle_requests'))
    )
    op.create_table('circle_threads',
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_threads_circle_id_circles')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_circle_threads_thread_id_threads')),
    sa.PrimaryKeyConstraint('thread_id', name=op.f('pk_circle_threads'))
    )
    with op.batch_alter_table('circle_threads', schema=None) as batch_op:
        batch_op.create_index('ix_circle_threads_circle', ['circle_id', 'thread_id'], unique=False)

    op.create_table('conversation_participants',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.Column('since_message_id', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_read_message_id', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_message_id', sa.Integer(), server_default='0', nullable=False),
    sa.Column('muted', sa.Boolean(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_conversation_participants_conversation_id_conversations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_conversation_participants_user_id_users')),
    sa.PrimaryKeyConstraint('conversation_id', 'user_id', name=op.f('pk_conversation_participants'))
    )
    with op.batch_alter_table('conversation_participants', schema=None) as batch_op:
        batch_op.create_index('ix_participants_unread', ['user_id'], unique=False, sqlite_where=sa.text('last_message_id > last_read_message_id AND muted = false'), postgresql_where=sa.text('last_message_id > last_read_message_id AND muted = false'))
        batch_op.create_index('ix_participants_user', ['user_id', 'last_message_id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('card_kind', sa.String(length=16), nullable=True),
    sa.Column('card_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('hidden', sa.Boolean(), server_default='0', nullable=False),
    sa.CheckConstraint("body <> '' OR card_kind IS NOT NULL", name=op.f('ck_messages_not_empty')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_messages_author_id_users')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_messages_conversation_id_conversations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_card', ['conversation_id', 'card_kind', 'card_id'], unique=False)
        batch_op.create_index('ix_messages_conversation', ['conversation_id', 'id'], unique=False)

    op.create_table('circle_cards',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('sharer_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_circle_cards_circle_id_circles')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_circle_cards_post_id_posts')),
    sa.ForeignKeyConstraint(['sharer_id'], ['users.id'], name=op.f('fk_circle_cards_sharer_id_users')),
    sa.PrimaryKeyConstraint('post_id', name=op.f('pk_circle_cards'))
    )
    with op.batch_alter_table('circle_cards', schema=None) as batch_op:
        batch_op.create_index('ix_circle_cards_target', ['circle_id', 'kind', 'target_id'], unique=False)

    op.create_table('circle_rsvps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('going', 'waitlisted')", name=op.f('ck_circle_rsvps_status')),
    sa.ForeignKeyConstraint(['event_id'], ['circle_events.id'], name=op.f('fk_circle_rsvps_event_id_circle_events')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_circle_rsvps_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_rsvps')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_circle_rsvps_event_id_user_id'))
    )
    with op.batch_alter_table('circle_rsvps', schema=None) as batch_op:
        batch_op.create_index('ix_circle_rsvps_list', ['event_id', 'status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_circle_rsvps_user_id'), ['user_id'], unique=False)

    op.create_table('message_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_reports_message_id_messages')),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_message_reports_reporter_id_users')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_message_reports_resolved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_reports')),
    sa.UniqueConstraint('message_id', 'reporter_id', name=op.f('uq_message_reports_message_id_reporter_id'))
    )
    with op.batch_alter_table('message_reports', schema=None) as batch_op:
        batch_op.create_index('ix_message_reports_open', ['resolved_at', 'id'], unique=False)

    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed', sa.Boolean(), server_default='1', nullable=False))



def downgrade():
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.drop_column('listed')

    with op.batch_alter_table('message_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_message_reports_open')

    op.drop_table('message_reports')
    with op.batch_alter_table('circle_rsvps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_rsvps_user_id'))
        batch_op.drop_index('ix_circle_rsvps_list')

    op.drop_table('circle_rsvps')
    with op.batch_alter_table('circle_cards', schema=None) as batch_op:
        batch_op.drop_index('ix_circle_cards_target')

    op.drop_table('circle_cards')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_conversation')
        batch_op.drop_index('ix_messages_card')

    op.drop_table('messages')
    with op.batch_alter_table('conversation_participants', schema=None) as batch_op:
        batch_op.drop_index('ix_participants_user')
        batch_op.drop_index('ix_participants_unread', sqlite_where=sa.text('last_message_id > last_read_message_id AND muted = false'), postgresql_where=sa.text('last_message_id > last_read_message_id AND muted = false'))

    op.drop_table('conversation_participants')
    with op.batch_alter_table('circle_threads', schema=None) as batch_op:
        batch_op.drop_index('ix_circle_threads_circle')

    op.drop_table('circle_threads')
    op.drop_table('circle_requests')
    with op.batch_alter_table('circle_members', schema=None) as batch_op:
        batch_op.drop_index('uq_circle_members_owner', sqlite_where=sa.text("role = 'owner'"), postgresql_where=sa.text("role = 'owner'"))
        batch_op.drop_index('ix_circle_members_user')

    op.drop_table('circle_members')
    with op.batch_alter_table('circle_invites', schema=None) as batch_op:
        batch_op.drop_index('ix_circle_invites_circle')

    op.drop_table('circle_invites')
    with op.batch_alter_table('circle_events', schema=None) as batch_op:
        batch_op.drop_index('ix_circle_events_circle')

    op.drop_table('circle_events')
    with op.batch_alter_table('user_blocks', schema=None) as batch_op:
        batch_op.drop_index('ix_user_blocks_blocked')

    op.drop_table('user_blocks')
    op.drop_table('conversations')
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.drop_index('ix_circles_kind_city')
        batch_op.drop_index('ix_circles_directory_members')
        batch_op.drop_index('ix_circles_directory_activity')

    op.drop_table('circles')
