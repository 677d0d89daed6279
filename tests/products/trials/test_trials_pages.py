import io

import pytest
from helpers import make_user
from PIL import Image
from trial_factories import ANSWERS, REPORT, make_fan, make_trial

from community.kernel.extensions import db
from products.trials import reports, selection, service

pytestmark = pytest.mark.one_database


def _png():
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(out, "PNG")
    out.seek(0)
    return out


def test_a_fan_applies_confirms_and_files_a_public_report_with_a_photo(app, client, auth,
                                                                      tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    with app.app_context():
        staff = make_user("boss", role="staff")
        trial = make_trial(staff=staff, places=1)
        fan = make_fan()
        name, trial_id = fan.username, trial.id
    auth.login(name)
    page = client.get(f"/trials/{trial_id}").get_data(as_text=True)
    assert 'data-testid="apply"' in page and "Which phone" in page
    bad = client.post(f"/trials/{trial_id}/apply", data={"answer-q1": "Pixel 8"})
    assert bad.status_code == 422
    assert client.post(f"/trials/{trial_id}/apply",
                       data={f"answer-{k}": v for k, v in ANSWERS.items()}).status_code == 302
    with app.app_context():
        application = service.application_of(trial_id, db.session.get(type(staff), fan.id))
        selection.select_by_hand(trial_id, db.session.get(type(staff), staff.id), [application.id])
    assert 'data-testid="confirm-place"' in client.get(f"/trials/{trial_id}").get_data(as_text=True)
    assert client.post(f"/trials/{trial_id}/confirm").status_code == 302
    data = {f"answer-{k}": str(v) for k, v in REPORT.items()}
    data.update(public="y", photos=(_png(), "strap.png"))
    answer = client.post(f"/trials/{trial_id}/report", data=data,
                         content_type="multipart/form-data")
    assert answer.status_code == 302
    page = client.get(f"/trials/{trial_id}").get_data(as_text=True)
    assert "A longer strap." in page and 'data-testid="report-filed"' in page
    with app.app_context():
        photo = reports.report_of(trial_id, fan.id).photos[0].filename
    with client.get(f"/trials/photos/{photo}") as served:
        assert served.mimetype == "image/png"
    auth.logout()
    with client.get(f"/trials/photos/{photo}") as served:  # a public report's photo
        assert served.status_code == 200
    assert client.get("/trials/photos/0123456789abcdef0123456789abcdef.png").status_code == 404
    auth.login(name)
    assert "Strap trial" in client.get("/me/trials").get_data(as_text=True)


def test_staff_pages_are_staff_only_and_show_the_summary(app, client, auth):
    with app.app_context():
        staff = make_user("boss", role="staff")
        trial = make_trial(staff=staff)
        fan = make_fan()
        application = service.apply(trial.id, fan, ANSWERS)
        trial_id, slug, fan_name, app_id = trial.id, trial.product.slug, fan.username, application.id
    auth.login(fan_name)
    for path in (f"/staff/trials/{trial_id}", f"/staff/products/{slug}/trials/new"):
        assert client.get(path).status_code == 403
    for path in (f"/staff/trials/{trial_id}/applications/{app_id}/select",
                 f"/staff/trials/{trial_id}/draw"):
        assert client.post(path).status_code == 403
    auth.logout()
    auth.login("boss")
    page = client.get(f"/staff/trials/{trial_id}").get_data(as_text=True)
    assert fan_name in page and "Pixel 8" in page and "<svg" in page
    assert client.post(f"/staff/trials/{trial_id}/applications/{app_id}/select").status_code == 302
    with app.app_context():
        assert service.application_of(trial_id, fan).status == "selected"
    made = client.post(f"/staff/products/{slug}/trials/new", data={
        "title": "Second round", "places": "3", "min_level": "1",
        "report_questions": "rating: Sound", "apply_by": "2099-01-01T10:00",
        "report_due": "2099-02-01T10:00"})
    assert made.status_code == 302
    assert "Second round" in client.get(f"/products/{slug}").get_data(as_text=True)
