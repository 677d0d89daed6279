"""Reading notifications: the bell's count, the page, marking them read.

The bell counts unread rows on a partial index that holds only unread rows, and
stops at BELL_CAP + 1: the count costs at most a hundred index entries however
far behind someone is, and shows "99+". A counter column would save that small
read but put a hot row under every fan-out and every read, and could drift.
"""

from sqlalchemy import bindparam, func, select, update

from ..kernel.database import transaction, utcnow
from ..kernel.extensions import db
from ..web.pagination import Page
from .models import Notification

BELL_CAP = 99
# Notifications the bell's drop-down lists; "See all" leads to the page of them.
BELL_LATEST = 8


# Unread notifications of :user_id, counted up to BELL_CAP + 1 (community/viewer/header.py asks
# it with the header's other figures).
UNREAD_COUNT = select(func.count()).select_from(
    select(Notification.id).where(Notification.user_id == bindparam("user_id"),
                                  Notification.read_at.is_(None))
    .limit(BELL_CAP + 1).subquery()).scalar_subquery()


def unread_count(user_id):
    """Unread notifications, counted up to BELL_CAP + 1."""
    return db.session.scalar(select(UNREAD_COUNT), {"user_id": user_id})


def bell_label(count):
    return f"{BELL_CAP}+" if count > BELL_CAP else str(count)


def _has_unread(user_id):
    return db.session.scalar(select(Notification.id).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)).limit(1)) is not None


def _page(user_id, per_page, before):
    stmt = select(Notification).where(Notification.user_id == user_id)
    if before is not None:
        stmt = stmt.where(Notification.id < before)
    rows = db.session.scalars(stmt.order_by(Notification.id.desc()).limit(per_page + 1)).all()
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    return Page(items=rows, page=1, per_page=per_page, has_next=has_next,
                next_cursor=str(rows[-1].id) if has_next else None)


def latest(user_id, limit=BELL_LATEST):
    """The bell's drop-down: the user's newest notifications, read or not (no write)."""
    return _page(user_id, limit, None).items


def open_page(user, per_page, before=None):
    """A page of the user's notifications, newest first; the unread ones shown are
    marked read. Returns (page, ids that were unread) so the page can highlight them.

    Nothing unread means no write transaction: reading the page takes no lock.
    """
    user_id = user.id  # read before the write transaction starts and expires the user
    if not _has_unread(user_id):
        return _page(user_id, per_page, before), set()
    with transaction():
        page = _page(user_id, per_page, before)
        unread = {n.id for n in page.items if n.read_at is None}
        if unread:
            _mark(user_id, Notification.id.in_(unread))
    return page, unread


def mark_all_read(user):
    with transaction():
        return _mark(user.id)


def mark_read(user, ids):
    """Mark some of the user's notifications read (another user's ids are ignored)."""
    ids = [int(i) for i in ids]
    if not ids:
        return 0
    with transaction():
        return _mark(user.id, Notification.id.in_(ids))


def _mark(user_id, *where):
    return db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None), *where)
        .values(read_at=utcnow())
    ).rowcount
