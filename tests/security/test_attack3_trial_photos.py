"""Attack3: a trial report's photos are stored and served byte for byte as the fan sent
them, unlike every other fan image (community/media re-encodes, keeping only pixels).

A tester's phone photo carries EXIF GPS (where they live, where they tested) and a public
report serves it to any visitor at /trials/photos/<name>; bytes after the image's end (a
polyglot) are served too.
"""

import io
from datetime import timedelta

from helpers import make_product, make_user
from PIL import Image
from werkzeug.datastructures import FileStorage

from community.kernel.database import utcnow
from products.trials import reports, selection, service

GPS_IFD = 0x8825
PAYLOAD = b"<html><script>alert(document.domain)</script></html>"


def _photo_with_gps(trailer=b""):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (39.0, 59.0, 1.0), 3: "E", 4: (116.0, 19.0, 1.0)}
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "orange").save(out, "JPEG", exif=exif)
    return out.getvalue() + trailer


def _public_report_with(data, staff=None, fan=None):
    """A public trial report by `fan` with one photo of `data`; returns (trial id, the
    photo's file name)."""
    staff = staff or make_user(role="staff")
    product = make_product(staff=staff)
    now = utcnow()
    trial = service.create_trial(
        product, staff, "Strap trial", "Try the new strap.", 1,
        apply_by=now + timedelta(days=2), report_due=now + timedelta(days=20),
        questions_text="", report_questions_text="text: What would you change?")
    fan = fan or make_user(verified=True)
    application = service.apply(trial.id, fan, {})
    selection.select_by_hand(trial.id, staff, [application.id])
    selection.confirm(trial.id, fan)
    upload = FileStorage(io.BytesIO(data), filename="IMG_0001.jpg", content_type="image/jpeg")
    report = reports.file_report(trial.id, fan, {"q1": "A longer strap."}, public=True,
                                 files=[upload])
    return trial.id, report.photos[0].filename


def test_a_public_trial_photo_is_served_without_the_testers_gps(app, client, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    with app.app_context():
        _trial, name = _public_report_with(_photo_with_gps())
    with client.get(f"/trials/photos/{name}") as served:  # a visitor, signed out
        assert served.status_code == 200
        data = served.data
    exif = Image.open(io.BytesIO(data)).getexif()
    assert GPS_IFD not in exif, "the tester's GPS position is served to every visitor"


def test_a_trial_photo_is_served_without_bytes_after_the_image(app, client, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    with app.app_context():
        _trial, name = _public_report_with(_photo_with_gps(trailer=PAYLOAD))
    with client.get(f"/trials/photos/{name}") as served:
        assert served.status_code == 200
        data = served.data
    assert PAYLOAD not in data, "a polyglot's trailing HTML is stored and served as is"
