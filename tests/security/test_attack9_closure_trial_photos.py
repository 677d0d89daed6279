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

import pytest
from helpers import make_user
from PIL import Image
from test_attack3_trial_photos import _public_report_with
from test_attack4_closure_identity import _close


def _public_report(staff, fan):
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "orange").save(out, "JPEG")
    return _public_report_with(out.getvalue(), staff, fan)


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
