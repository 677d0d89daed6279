"""attack9: a closure's file deletes run after its commit and are never retried.

Closing an account with "remove my posts" deletes the photos' rows in the closing
transaction and their files after it. If one delete fails then (the bucket answers 503
once, a network blip), the job stops there: the rows are gone, so nothing ever looks for
those files again, and with MEDIA_S3_PUBLIC_URL the bucket keeps serving them (and the
thumbnails and avatar after the failed one) to anyone holding a link that was on a public
page. DESIGN.md's Jobs rule (work that must not be lost is an outbox row written in the
same transaction as its cause) now holds: the closure notes its files as FileDelete rows
(community/media/deletes.py) and the worker's media.retry_deletes tries a failed one again."""

import contextlib
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "community" / "media"))

import pytest  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from media_factories import reply_with_a_photo  # noqa: E402

from community.datarights import closure  # noqa: E402
from community.kernel import jobs  # noqa: E402
from community.kernel.database import transaction, utcnow  # noqa: E402
from community.kernel.extensions import db  # noqa: E402
from community.media import s3, storage  # noqa: E402
from community.media.models import MediaImage  # noqa: E402

pytestmark = pytest.mark.one_database
pytest_plugins = ["s3_world"]


def _status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_failed_delete_after_the_closure_is_retried(public_s3_app, monkeypatch):
    app = public_s3_app
    image = reply_with_a_photo(app)
    with app.app_context():
        uploader = image.uploader_id
        urls = [storage.backend().public_url(n) for n in (image.name, image.thumb_name)]
    assert [_status(url) for url in urls] == [200, 200]
    real_delete, failed = s3.S3Storage.delete, []

    def flaky_delete(self, name):
        if not failed:
            failed.append(name)
            raise ClientError({"Error": {"Code": "503", "Message": "Slow Down"}}, "DeleteObject")
        return real_delete(self, name)

    monkeypatch.setattr(s3.S3Storage, "delete", flaky_delete)
    now = utcnow()
    with app.app_context():
        with transaction():
            db.session.add(closure.AccountClosure(user_id=uploader, requested_at=now,
                                                  due_at=now, keep_posts=False))
        with contextlib.suppress(ClientError):
            closure.close_due(now=now + timedelta(seconds=1))
        assert failed and db.session.get(MediaImage, image.id) is None
        # The worker runs every job again later, as it does every hour.
        later = now + timedelta(hours=2)
        for name in sorted(jobs.JOBS):
            jobs.run_periodic(name, now=later)
    assert [_status(url) for url in urls] == [404, 404], \
        "the closed account's photo is still served by the bucket"
