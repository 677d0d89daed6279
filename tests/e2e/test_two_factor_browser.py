"""Two-factor sign-in in chromium: a staff member's first sign-in sets it up (the secret
read off the page, the code computed by pyotp as a phone would), recovery codes are shown
once, and the next sign-in takes a code."""

import time

import pyotp
import pytest
from helpers import make_user

from community.accounts import twofactor

pytestmark = pytest.mark.e2e

PASSWORD = "long-enough-pass"


def _code(secret, steps_ahead=0):
    return pyotp.TOTP(secret).at(time.time() + steps_ahead * twofactor.STEP_SECONDS)


def test_staff_set_up_two_factor_and_sign_in_with_a_code(sqlite_app, live_servers, new_page):
    with sqlite_app.app_context():
        make_user("keeper", role="staff", password=PASSWORD)
    site = live_servers.start(sqlite_app.config["SQLALCHEMY_DATABASE_URI"], workers=2,
                              env={"FANFORGE_TWO_FACTOR_ENFORCE": "staff"})
    page = new_page()
    page.goto(site + "/login?next=/mod/log")
    page.fill("#login", "keeper")
    page.fill("#password", PASSWORD)
    page.click("[data-testid=submit-login]")
    page.wait_for_url(site + "/login/two-factor/setup")
    assert page.locator(".qr svg").count() == 1
    secret = page.locator("[data-testid=two-factor-secret]").inner_text()
    page.fill("[data-testid=two-factor-code]", _code(secret))
    page.click("[data-testid=submit-code]")
    page.wait_for_selector("[data-testid=recovery-codes]")
    assert page.locator("[data-testid=recovery-code]").count() == 10
    page.click("[data-testid=recovery-codes-done]")
    page.wait_for_url(site + "/mod/log")
    assert page.locator(".me").inner_text() == "keeper"

    # Signed out, then in again: the password, then a code from the app.
    page.click("nav form[action='/logout'] button, form[action='/logout'] button")
    page.goto(site + "/login")
    page.fill("#login", "keeper")
    page.fill("#password", PASSWORD)
    page.click("[data-testid=submit-login]")
    page.wait_for_url(site + "/login/code")
    assert page.locator(".me").count() == 0  # half-way is not signed in
    page.fill("[data-testid=two-factor-code]", _code(secret, steps_ahead=1))
    page.click("[data-testid=submit-code]")
    page.wait_for_url(site + "/")
    assert page.locator(".me").inner_text() == "keeper"
    page.goto(site + "/settings/two-factor")
    assert page.locator("[data-testid=two-factor-on]").count() == 1
    assert page.locator("[data-testid=two-factor-required]").count() == 1
