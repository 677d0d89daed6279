"""Deleting stored files once the rows that named them are gone, without losing one.

A use case notes the files it drops (`later`) in its own transaction, as FileDelete rows,
and deletes them after the commit (`run`). A delete that fails then (a network blip, a
bucket that answers 503) leaves its row, and the worker tries it again (`retry_due`,
media.retry_deletes): the rows that named the file are gone, so nothing else would ever
look for it, and a public bucket would go on serving it (DESIGN.md's Jobs rule: work that
must not be lost is an outbox row written with its cause). Deleting a file that is
already gone succeeds, so a file tried twice, by two workers or after a crash between
the delete and its row's removal, costs nothing.
"""

import logging
from datetime import timedelta

from sqlalchemy import delete, insert, select, update

from ..kernel.database import transaction, utcnow
from ..kernel.extensions import db
from . import storage
from .models import FileDelete

log = logging.getLogger(__name__)
# Wait before the next try, by tries so far: the first retry is the worker's next sweep.
BACKOFF = (timedelta(0), timedelta(minutes=10), timedelta(hours=1), timedelta(hours=6))
RETRY_BATCH = 200


def later(files):
    """Note [(area, name)] to delete once the caller's transaction commits; call inside
    it. Returns the notes' ids for run()."""
    now = utcnow()
    rows = [{"area": area, "name": name, "attempts": 0, "next_try_at": now, "created_at": now}
            for area, name in files if name]
    if not rows:
        return []
    return list(db.session.scalars(insert(FileDelete).returning(FileDelete.id), rows))


def run(ids, now=None):
    """Delete the noted files `ids` now (after the commit that noted them). Each one gone is
    forgotten; one that fails stays for retry_due with a later time. Returns how many
    were deleted; never raises for a file the storage refused."""
    if not ids:
        return 0
    now = now or utcnow()
    notes = db.session.execute(select(FileDelete.id, FileDelete.area, FileDelete.name,
                                      FileDelete.attempts)
                               .where(FileDelete.id.in_(ids))).all()
    done, failed = [], []
    for note_id, area, name, attempts in notes:
        try:
            storage.backend(area).delete(name)
        except Exception as error:  # any storage's failure: the note stays
            log.warning("media: deleting %s/%s failed (%s tries): %s", area, name,
                        attempts + 1, error)
            failed.append((note_id, attempts, f"{type(error).__name__}: {error}"[:200]))
        else:
            done.append(note_id)
    with transaction(reload=False):
        if done:
            db.session.execute(delete(FileDelete).where(FileDelete.id.in_(done))
                               .execution_options(synchronize_session=False))
        for note_id, attempts, error in failed:
            wait = BACKOFF[min(attempts, len(BACKOFF) - 1)]
            db.session.execute(update(FileDelete).where(FileDelete.id == note_id).values(
                attempts=attempts + 1, next_try_at=now + wait, last_error=error)
                .execution_options(synchronize_session=False))
    return len(done)


def retry_due(now=None, limit=RETRY_BATCH):
    """Try again the deletes whose time has come (the worker's sweep); returns how many
    files were deleted."""
    now = now or utcnow()
    ids = db.session.scalars(select(FileDelete.id).where(FileDelete.next_try_at <= now)
                             .order_by(FileDelete.next_try_at, FileDelete.id).limit(limit)).all()
    db.session.rollback()  # end the read: run() writes in a transaction of its own
    return run(ids, now)
