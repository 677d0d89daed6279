"""In chromium: a fan applies to a trial, staff select them, the fan confirms the place and
files a public report with a photo, which the trial page then shows."""

from datetime import timedelta

import pytest
from helpers import make_board, make_product, make_user
from PIL import Image
from playwright.sync_api import expect

from community.accounts.models import User
from community.kernel.database import utcnow
from community.kernel.extensions import db
from products.trials import selection, service

pytestmark = pytest.mark.e2e
PASSWORD = "long-enough-pass"


@pytest.fixture
def trial(sqlite_app, tmp_path, monkeypatch):
    monkeypatch.setenv("FANFORGE_UPLOAD_DIR", str(tmp_path / "uploads"))
    with sqlite_app.app_context():
        staff = make_user("trialstaff", role="staff")
        make_user("tester", password=PASSWORD)
        product = make_product(make_board("earbuds"), staff, slug="forge-buds")
        made = service.create_trial(
            product, staff, "Buds beta", "Two weeks with the buds.", 3,
            utcnow() + timedelta(days=2), utcnow() + timedelta(days=20),
            questions_text="device: Which phone will you pair them with?\n"
                           "choice: Where do you listen? | commute | gym | home",
            report_questions_text="rating: Sound\ntext: What would you change?")
        return made.id


def test_apply_get_selected_confirm_and_report(site, trial, signed_in, sqlite_app, tmp_path):
    page = signed_in("tester")
    page.goto(f"{site}/trials/{trial}")
    page.fill("[data-testid=answer-q1]", "Pixel 8")
    page.select_option("[data-testid=answer-q2]", "gym")
    page.click("[data-testid=apply-submit]")
    expect(page.locator("[data-testid=application-status]")).to_have_text("Applied")

    with sqlite_app.app_context():
        staff = db.session.scalar(db.select(User).where(User.username == "trialstaff"))
        fan = db.session.scalar(db.select(User).where(User.username == "tester"))
        selection.select_by_hand(trial, staff, [service.application_of(trial, fan).id])

    page.reload()
    page.click("[data-testid=confirm-place]")
    expect(page.locator("[data-testid=application-status]")).to_have_text("Tester")
    page.click("[data-testid=file-report]")
    page.select_option("[data-testid=answer-q1]", "4")
    page.fill("[data-testid=answer-q2]", "A case that clicks shut.")
    photo = tmp_path / "buds.png"
    Image.new("RGB", (16, 16), "teal").save(photo)
    page.set_input_files("[data-testid=report-photos]", str(photo))
    page.check("[data-testid=report-public]")
    page.click("[data-testid=report-submit]")
    page.wait_for_url(f"{site}/trials/{trial}")
    expect(page.locator("[data-testid=report-filed]")).to_be_visible()
    reports = page.locator("[data-testid=public-reports]")
    expect(reports).to_contain_text("A case that clicks shut.")
    expect(reports.locator("img")).to_have_count(1)
    assert reports.locator("img").evaluate("img => img.naturalWidth") == 16
    expect(page.locator("[data-testid=testers]")).to_contain_text("tester")
