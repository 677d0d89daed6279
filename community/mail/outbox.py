"""The outbox: rows written with their cause, then claimed, sent, retried or failed.

`queue` and `queue_select` run inside the caller's transaction and ask for a worker
once it commits. A worker claims a batch in one short transaction (SELECT ... FOR UPDATE
SKIP LOCKED on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises claims), so several
workers never take the same row; a claim expires, so a killed worker's rows
go to the next one. Only a mail accepted by the server before the kill and not yet
marked may go out twice, and its Message-ID says so.
"""

import os
import socket
import threading
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, case, delete, func, literal, or_, select, true, update

from ..kernel import jobs
from ..kernel.compiled import write_rows
from ..kernel.database import conflict_insert, dialect_name, transaction, utcnow
from ..kernel.extensions import db
from .models import MailOutbox

SEND_TASK = "mail.send"
_NO_SYNC = {"synchronize_session": False}


def queue(kind, user_id=None, to=None, ref_id=None):
    """One mail to send; call inside the causing transaction. A worker sends it after the
    commit, never the request that caused it."""
    now = utcnow()
    db.session.add(MailOutbox(kind=kind, user_id=user_id, to_addr=to, ref_id=ref_id,
                              created_at=now, next_attempt_at=now))
    jobs.kick_after_commit(SEND_TASK)


def queue_select(kind, rows):
    """One mail per row of `rows` (a SELECT of user_id and ref_id), in one INSERT ... SELECT.
    A (kind, user, ref) already in the outbox is left alone. Returns the rows written."""
    return queue_built(insert_select(rows, dialect_name()), kind)


# The parameters of insert_select's statement besides those of its rows.
_KIND, _NOW = (bindparam("mail_kind", type_=MailOutbox.kind.type),
               bindparam("mail_now", type_=MailOutbox.created_at.type))


def insert_select(rows, dialect):
    """queue_select's INSERT ... SELECT for `rows`, the mail's kind and time left as
    parameters: a hot path builds it once (per dialect) and runs it with queue_built."""
    source = rows.subquery("mails")
    stmt = conflict_insert(MailOutbox, dialect)
    # WHERE true: SQLite would otherwise read ON CONFLICT as part of the SELECT's join.
    values = select(_KIND, source.c.user_id, source.c.ref_id, literal("queued"), literal(0),
                    _NOW, _NOW, literal("")).where(true())
    stmt = stmt.from_select(["kind", "user_id", "ref_id", "status", "attempts",
                             "next_attempt_at", "created_at", "last_error"], values)
    return stmt.on_conflict_do_nothing().returning(MailOutbox.id)


def queue_built(stmt, kind, **params):
    """Run an insert_select statement with its rows' `params`; returns the rows written."""
    written = len(write_rows(stmt, mail_kind=kind, mail_now=utcnow(), **params))
    if written:
        jobs.kick_after_commit(SEND_TASK)
    return written


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:64]


def _claim_free(now):
    return or_(MailOutbox.claimed_until.is_(None), MailOutbox.claimed_until < now)


def claim(worker, limit, lease_seconds, now=None):
    """Claim up to `limit` due rows for `worker`; returns their ids, oldest first.

    Two steps in one transaction: select the ids (locking them, skipping rows another
    worker has locked, on PostgreSQL), then mark them. One UPDATE ... WHERE id IN
    (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED) can take more than n rows on PostgreSQL,
    where a semi-join rescans the locking subquery for each row.
    """
    now = now or utcnow()
    due = (select(MailOutbox.id)
           .where(MailOutbox.status == "queued", MailOutbox.next_attempt_at <= now,
                  _claim_free(now))
           .order_by(MailOutbox.next_attempt_at, MailOutbox.id).limit(limit))
    if dialect_name() == "postgresql":
        due = due.with_for_update(skip_locked=True)
    with transaction():
        ids = db.session.scalars(due).all()
        if ids:
            db.session.execute(
                update(MailOutbox).where(MailOutbox.id.in_(ids))
                .values(claimed_by=worker, claimed_until=now + timedelta(seconds=lease_seconds))
                .execution_options(**_NO_SYNC))
    return sorted(ids)


def _mine(row_id, worker):
    return update(MailOutbox).where(MailOutbox.id == row_id, MailOutbox.claimed_by == worker) \
        .execution_options(**_NO_SYNC)


def mark_sent(row_id, worker, now=None):
    with transaction():
        return db.session.execute(_mine(row_id, worker).values(
            status="sent", sent_at=now or utcnow(), claimed_by=None, claimed_until=None,
            attempts=MailOutbox.attempts + 1)).rowcount


def mark_skipped(row_id, worker, reason):
    """Not wanted any more (the notification is gone, no such account): never sent."""
    with transaction():
        db.session.execute(_mine(row_id, worker).values(
            status="skipped", last_error=reason[:1000], claimed_by=None, claimed_until=None))


def record_failure(row_id, worker, error, permanent=False, now=None):
    """A failed try: retried after MAIL_RETRY_DELAYS[try], failed once they run out."""
    now = now or utcnow()
    delays = current_app.config["MAIL_RETRY_DELAYS"]
    with transaction():
        attempts = db.session.scalar(
            select(MailOutbox.attempts).where(MailOutbox.id == row_id)) or 0
        values = {"attempts": MailOutbox.attempts + 1, "claimed_by": None,
                  "claimed_until": None, "last_error": str(error)[:1000] or type(error).__name__}
        if permanent or attempts >= len(delays):
            values["status"] = "failed"
        else:
            values["next_attempt_at"] = now + timedelta(seconds=delays[attempts])
        db.session.execute(_mine(row_id, worker).values(**values))
    return values.get("status", "queued")


def next_due():
    """When the earliest queued row can next be claimed (its retry time or claim expiry)."""
    ready = case((and_(MailOutbox.claimed_until.is_not(None),
                       MailOutbox.claimed_until > MailOutbox.next_attempt_at),
                  MailOutbox.claimed_until), else_=MailOutbox.next_attempt_at)
    return db.session.scalar(select(func.min(ready)).where(MailOutbox.status == "queued"))


# ---- staff -----------------------------------------------------------------

def counts():
    rows = db.session.execute(select(MailOutbox.status, func.count()).group_by(MailOutbox.status))
    found = dict.fromkeys(("queued", "failed", "sent", "skipped"), 0)
    found.update({status: n for status, n in rows})
    return found


def failed_rows(limit=50):
    return db.session.scalars(select(MailOutbox).where(MailOutbox.status == "failed")
                              .order_by(MailOutbox.id.desc()).limit(limit)).all()


def retry(row_ids=None):
    """Staff send failed mail again (all, or these ids): a fresh set of tries."""
    where = [MailOutbox.status == "failed"]
    if row_ids is not None:
        where.append(MailOutbox.id.in_(row_ids))
    with transaction():
        retried = db.session.execute(update(MailOutbox).where(*where).values(
            status="queued", attempts=0, next_attempt_at=utcnow(), claimed_by=None,
            claimed_until=None).execution_options(**_NO_SYNC)).rowcount
        if retried:
            jobs.kick_after_commit(SEND_TASK)
    return retried


def purge(days):
    """Forget sent and skipped rows older than `days` (failed ones wait for staff)."""
    with transaction():
        return db.session.execute(delete(MailOutbox).where(
            MailOutbox.status.in_(("sent", "skipped")),
            MailOutbox.created_at < utcnow() - timedelta(days=days))
            .execution_options(**_NO_SYNC)).rowcount

