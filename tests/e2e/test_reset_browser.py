"""Forgot password in chromium: the form, the link from the mail the SMTP server got, a
new password, and the fan is signed in with it."""

import pytest
from helpers import first_link, mail_parts, make_user

from community.accounts import service as accounts
from community.mail import sender

pytestmark = pytest.mark.e2e


def test_forgot_password_by_mail_then_signed_in(sqlite_app, live_servers, smtp_server, new_page):
    with sqlite_app.app_context():
        make_user("resetter", email="resetter@example.com", password="old-password-1")
    site = live_servers.start(sqlite_app.config["SQLALCHEMY_DATABASE_URI"], workers=2,
                              env={"FANFORGE_REQUIRE_VERIFIED_EMAIL": "true"})
    # This process plays the worker: same secret as the site, links pointing at it.
    smtp_server.configure(sqlite_app)
    sqlite_app.config.update(SITE_URL=site, SECRET_KEY="live-test-secret")

    page = new_page()
    page.goto(site + "/login")
    page.click("[data-testid=forgot-password]")
    page.fill("#email", "resetter@example.com")
    page.click("[data-testid=submit-forgot]")
    page.wait_for_selector("[data-testid=forgot-sent]")
    with sqlite_app.app_context():
        assert sender.send_due() == {"sent": 1}
    assert smtp_server.wait_for(1)
    link = first_link(mail_parts(smtp_server.messages[0])[0], "/reset-password/")
    assert link.startswith(site)

    page.goto(link)
    page.fill("#new_password", "new-password-2")
    page.fill("#confirm", "new-password-2")
    page.click("[data-testid=submit-reset]")
    page.wait_for_url(site + "/")
    assert page.locator(".me").inner_text() == "resetter"
    with sqlite_app.app_context():
        assert accounts.authenticate("resetter", "new-password-2") is not None
    page.goto(link)  # the link worked once
    assert page.locator("[data-testid=link-problem]").get_attribute("data-reason") == "used"
