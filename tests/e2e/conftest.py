"""Browser fixtures: Debian's chromium driven by Playwright, against real gunicorn.

Without a browser these tests skip on a developer's machine and fail under CI=true.
"""

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium_path():
    return shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


def _no_browser(reason):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"Browser tests need chromium under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        _no_browser("chromium is not installed (make test installs Debian's package)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError as error:  # pragma: no cover - the dev extra installs it
        _no_browser(f"playwright is not installed: {error}")
    # Tests wait with expect(locator) (wait_for_function compiles its string in the page,
    # which the Content-Security-Policy refuses): as patient as a page's own waits.
    expect.set_options(timeout=10_000)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    except Exception as error:
        playwright.stop()
        _no_browser(f"chromium would not start: {error}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def site(sqlite_app, live_servers):
    """The app served by gunicorn on the test's SQLite database."""
    return live_servers.start(sqlite_app.config["SQLALCHEMY_DATABASE_URI"], workers=2)


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(**options):
        options.setdefault("locale", "en-US")
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


BROWSER_PASSWORD = "long-enough-pass"


@pytest.fixture
def signed_in(site, new_page):
    """A new browser page signed in as `username` through the real form."""
    def sign_in(username, password=BROWSER_PASSWORD, **options):
        page = new_page(**options)
        page.goto(site + "/login")
        page.fill("#login", username)
        page.fill("#password", password)
        page.click("[data-testid=submit-login]")
        page.wait_for_url(site + "/")
        return page

    return sign_in
