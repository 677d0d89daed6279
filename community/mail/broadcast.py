"""Notices to many people (a campaign's backers, a product's followers), sent in batches
by the worker, so a campaign with 50,000 backers never holds a request.

The transaction that decides a notice writes one NoticeBatch row (`start`); the worker
expands it (`run_batch`) a batch of recipients at a time, in user id order. Each batch
is one transaction: the notifications (INSERT ... SELECT ... ON CONFLICT DO NOTHING on
the unique (kind, ref_key, user)), the mails of those who want this kind at once (the
outbox's unique (kind, user, ref) again) and the batch's cursor move together. A worker
killed mid-way loses its open batch whole and the next run takes it again from the
cursor: nobody hears twice and nobody is missed. Mails are rendered at send time in
each recipient's language, as every notification mail is (notify.py).
"""

import time

from sqlalchemy import select

from ..accounts.models import User
from ..kernel import jobs
from ..kernel.database import dialect_name, transaction, utcnow
from ..kernel.extensions import db
from ..notifications import kinds
from ..notifications.fanout import fan_out
from ..notifications.models import NoticeBatch, Notification
from . import outbox, prefs
from .notify import recipient_ok

TASK = "notices.broadcast"
BATCH = 1000
# Notification columns a batch may fill for every recipient.
NOTICE_COLUMNS = ("actor_id", "target_type", "target_id", "idea_id", "thread_id", "post_id",
                  "title", "excerpt", "detail")


def start(kind, ref_key, audience, audience_args=None, exclude=None, **notice):
    """Tell everyone in `audience` (kinds.register_audience) once; call inside the
    deciding transaction. The worker does the telling after the commit."""
    if audience not in kinds.AUDIENCES:
        raise LookupError(f"no audience {audience!r}")
    unknown = set(notice) - set(NOTICE_COLUMNS)
    if unknown:
        raise ValueError(f"not notice columns: {sorted(unknown)}")
    db.session.add(NoticeBatch(kind=kind, ref_key=ref_key, audience=audience,
                               audience_args=audience_args or {}, exclude_user_id=exclude,
                               notice={k: v for k, v in notice.items() if v is not None}))
    jobs.kick_after_commit(TASK)


def _locked(batch_id):
    stmt = select(NoticeBatch).where(NoticeBatch.id == batch_id) \
        .execution_options(populate_existing=True)
    if dialect_name() == "postgresql":
        stmt = stmt.with_for_update()
    return db.session.scalars(stmt).first()


def run_batch(batch_id, size=BATCH):
    """Tell the next `size` recipients of one notice; True once it has reached everyone."""
    with transaction():
        batch = _locked(batch_id)
        if batch is None or batch.done_at is not None:
            return True
        people = kinds.AUDIENCES[batch.audience](**batch.audience_args).subquery("audience")
        who = people.c.user_id
        ids = db.session.scalars(select(who).where(who > batch.cursor).distinct()
                                 .order_by(who).limit(size)).all()
        if ids:
            low, high = batch.cursor, ids[-1]
            chunk = select(who.label("user_id")).where(who > low, who <= high).distinct()
            fan_out(batch.kind, chunk, exclude=(batch.exclude_user_id,), once=True,
                    ref_key=batch.ref_key, **batch.notice)
            _queue_mail(batch, low, high)
            batch.cursor = high
            batch.sent = NoticeBatch.sent + len(ids)
        if len(ids) < size:
            batch.done_at = utcnow()
        return batch.done_at is not None


def _queue_mail(batch, low, high):
    n = Notification
    rows = (select(n.user_id.label("user_id"), n.id.label("ref_id"))
            .join(User, User.id == n.user_id)
            .where(n.kind == batch.kind, n.ref_key == batch.ref_key, n.user_id > low,
                   n.user_id <= high, n.read_at.is_(None), *recipient_ok(),
                   prefs.choice_column(n.user_id, n.kind) == "immediate"))
    outbox.queue_select("notification", rows)


def open_batches():
    return db.session.scalars(select(NoticeBatch.id).where(NoticeBatch.done_at.is_(None))
                              .order_by(NoticeBatch.id)).all()


def run_due(time_budget=None, size=BATCH):
    """Expand every open notice, a batch at a time, until done or out of time; returns
    the number of batches run."""
    deadline = None if time_budget is None else time.monotonic() + time_budget
    runs = 0
    for batch_id in open_batches():
        while True:
            runs += 1
            if run_batch(batch_id, size):
                break
            if deadline is not None and time.monotonic() > deadline:
                jobs.kick(TASK)  # a fresh run goes on where this one stopped
                return runs
    return runs
