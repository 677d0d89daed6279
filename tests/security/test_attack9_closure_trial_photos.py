"""attack9: "remove my posts" took the photos of posts and reviews with it, and left a
tester's trial report photos served.

A trial report is what the member wrote as much as a review is (the closure blanks its
answers), and a public report's photos are served to every visitor at
/trials/photos/<name> and shown on the trial's page ("Photo by deleted user N"). Closing
the account with "Remove my posts and messages" blanked the report's answers and kept
its photos: rows, files and the trial page's <img>. Now the photos go with the answers
(products/trials/photos.py remove_of_closed, an after_close hook): the rows in the closing
transaction, the files in the uploads area after it. Kept posts keep theirs, and nobody
else's go."""

import io
from datetime import timedelta

import pytest
from helpers import make_product, make_user
from PIL import Image
from werkzeug.datastructures import FileStorage

from community.datarights import closure
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from products.trials import reports, selection, service


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "orange").save(out, "JPEG")
    out.seek(0)
    return out


def _public_report(staff, fan):
    product = make_product(staff=staff)
    now = utcnow()
    trial = service.create_trial(
        product, staff, "Strap trial", "Try the new strap.", 1,
        apply_by=now + timedelta(days=2), report_due=now + timedelta(days=20),
        questions_text="", report_questions_text="text: What would you change?")
    application = service.apply(trial.id, fan, {})
    selection.select_by_hand(trial.id, staff, [application.id])
    selection.confirm(trial.id, fan)
    report = reports.file_report(trial.id, fan, {"q1": "A longer strap."}, public=True,
                                 files=[FileStorage(_jpeg(), filename="IMG_0001.jpg",
                                                    content_type="image/jpeg")])
    return trial.id, report.photos[0].filename


def _close(user_id, keep_posts):
    now = utcnow()
    with transaction():
        db.session.add(closure.AccountClosure(user_id=user_id, requested_at=now, due_at=now,
                                              keep_posts=keep_posts))
    assert closure.close_due(now=now + timedelta(seconds=1)) == 1


@pytest.mark.parametrize("keep_posts", [False, True], ids=["removed", "kept"])
def test_removed_posts_take_the_trial_report_photos_with_them(app, tmp_path, keep_posts):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    app.extensions.pop("media_storage:uploads", None)
    with app.app_context():
        staff = make_user("a9staff", role="staff")
        tester, other = make_user("a9tester", verified=True), make_user("a9other")
        trial_id, name = _public_report(staff, tester)
        _other_trial, others = _public_report(staff, other)
        _close(tester.id, keep_posts=keep_posts)
    visitor = app.test_client()
    served = {n: visitor.get(f"/trials/photos/{n}").status_code for n in (name, others)}
    page = visitor.get(f"/trials/{trial_id}").get_data(as_text=True)
    on_disk = {n: (tmp_path / "uploads" / n).exists() for n in (name, others)}
    assert served[others] == 200 and on_disk[others]  # nobody else's photo goes
    if keep_posts:
        assert served[name] == 200 and on_disk[name] and name in page
    else:
        assert served[name] == 404, "the closed account's trial photo is still served"
        assert not on_disk[name], "the closed account's trial photo is still stored"
        assert name not in page, "the trial page still shows the closed account's photo"
