"""A stored file whose delete fails after the commit that dropped its row is tried again
by the worker (community/media/deletes.py), later each time, until it is gone."""

from datetime import timedelta

from media_factories import reply_with_a_photo
from sqlalchemy import select

from community.kernel import jobs
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.media import deletes, storage
from community.media import service as media
from community.media.models import FileDelete


def _notes():
    return db.session.execute(select(FileDelete.name, FileDelete.attempts,
                                     FileDelete.next_try_at, FileDelete.last_error)
                              .order_by(FileDelete.id)).all()


def test_a_failed_delete_is_kept_and_retried_later_each_time(app, media_dir, monkeypatch):
    image = reply_with_a_photo(app)
    files = {image.name, image.thumb_name}
    assert files <= {p.name for p in media_dir.iterdir()}
    real_delete, refusals = storage.LocalStorage.delete, []

    def refusing(self, name):
        if len(refusals) < 3:
            refusals.append(name)
            raise OSError("disk unavailable")
        return real_delete(self, name)

    monkeypatch.setattr(storage.LocalStorage, "delete", refusing)
    with app.app_context():
        assert media.remove("post", image.owner_id, [image.id]) == 1
        # Both refused: the row is gone, the files are not, and neither is forgotten.
        notes = _notes()
        assert sorted(n.name for n in notes) == sorted(files)
        assert all(n.attempts == 1 and "disk unavailable" in n.last_error for n in notes)
        assert files <= {p.name for p in media_dir.iterdir()}
        # The next sweep tries them at once; one is refused again and waits ten minutes.
        assert deletes.retry_due() == 1
        [again] = _notes()
        assert again.attempts == 2
        assert again.next_try_at - utcnow() > timedelta(minutes=9)
        assert deletes.retry_due() == 0  # not due yet
        assert deletes.retry_due(now=utcnow() + timedelta(minutes=11)) == 1
        assert _notes() == []
    assert not files & {p.name for p in media_dir.iterdir()}


def test_deletes_that_succeed_leave_no_note_and_the_job_is_registered(app, media_dir):
    image = reply_with_a_photo(app)
    with app.app_context():
        media.remove("post", image.owner_id, [image.id])
        assert _notes() == []
    assert list(media_dir.iterdir()) == []
    assert "media.retry_deletes" in jobs.JOBS
