"""backers-only updates' reply threads become threads of kind backer_update

Revision ID: e5b7c2d9a4f1
Revises: c4d1e8f2a9b7
Create Date: 2026-12-07 06:10:00.000000

Their readers are then the update's (products/notices/service.py can_read_thread). They
leave the search too: PostgreSQL's documents of them and their replies are deleted here,
and the search outbox is told, so whoosh's drain forgets them (its loaders no longer load
that kind). Downgrading makes them product threads again (readable by link, as before).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5b7c2d9a4f1'
down_revision = 'c4d1e8f2a9b7'
branch_labels = None
depends_on = None

THREADS = "SELECT thread_id FROM backer_updates WHERE audience = 'backers' AND thread_id IS NOT NULL"
REPLIES = f"SELECT id FROM posts WHERE position > 0 AND thread_id IN ({THREADS})"


def upgrade():
    op.execute(f"UPDATE threads SET kind = 'backer_update' WHERE id IN ({THREADS})")
    op.execute(f"DELETE FROM search_documents WHERE (kind = 'thread' AND ref_id IN ({THREADS})) "
               f"OR (kind = 'reply' AND ref_id IN ({REPLIES}))")
    op.execute("INSERT INTO search_outbox (kind, ref_id, created_at) "
               f"SELECT 'thread', thread_id, CURRENT_TIMESTAMP FROM backer_updates "
               f"WHERE audience = 'backers' AND thread_id IS NOT NULL")
    op.execute("INSERT INTO search_outbox (kind, ref_id, created_at) "
               f"SELECT 'reply', id, CURRENT_TIMESTAMP FROM posts WHERE position > 0 "
               f"AND thread_id IN ({THREADS})")


def downgrade():
    op.execute(f"UPDATE threads SET kind = 'product' WHERE kind = 'backer_update' AND id IN ({THREADS})")
