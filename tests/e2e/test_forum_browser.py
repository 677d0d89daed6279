"""A new fan registers, opens a thread, replies and switches the language, in chromium."""

import pytest
from helpers import make_board
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def board(sqlite_app):
    with sqlite_app.app_context():
        return make_board("band", "手环 Band").slug


def test_register_post_reply_and_switch_language(site, board, new_page):
    page = new_page()
    page.goto(site + "/register")
    page.fill("#username", "browserfan")
    page.fill("#email", "browserfan@example.com")
    page.fill("#password", "long-enough-pass")
    page.click("[data-testid=submit-register]")
    page.click("[data-testid=sign-in-after-register]")
    page.fill("#login", "browserfan")
    page.fill("#password", "long-enough-pass")
    page.click("[data-testid=submit-login]")
    page.wait_for_url(site + "/")
    assert page.locator(".me").inner_text() == "browserfan"

    page.click("text=手环 Band")
    page.click("[data-testid=new-thread]")
    page.fill("#title", "Does the band survive a sauna?")
    page.fill("#body", "Asking for a *friend*.")
    page.click("[data-testid=submit-thread]")
    page.wait_for_url("**/t/*")
    assert page.locator("h1.thread-heading").inner_text().startswith("Does the band survive a sauna?")
    assert page.locator(".post-body em").first.inner_text() == "friend"

    page.fill("#body", "**Yes**, up to 60 °C.")
    page.click("[data-testid=submit-reply]")
    page.wait_for_url("**/t/*#post-*")
    reply = page.locator("article.post").nth(1)
    assert reply.locator("strong").inner_text() == "Yes"
    assert "up to 60 °C." in reply.inner_text()

    page.click("[data-testid=switch-locale]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("[data-testid=submit-reply]").inner_text() == "回复"
    page.goto(site + "/")
    assert page.locator("h1").inner_text() == "首页"  # the home page: Latest, then the boards
    expect(page.get_by_role("heading", name="版块")).to_be_visible()


def test_like_without_reload_and_phone_width(site, board, sqlite_app, signed_in):
    from helpers import make_thread, make_user

    with sqlite_app.app_context():
        make_user("liker", password="long-enough-pass")
        thread = make_thread(title="Phone layout")
    page = signed_in("liker", viewport={"width": 375, "height": 740})
    page.goto(f"{site}/t/{thread.id}")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the page scrolls sideways on a phone"
    page.evaluate("window.__marker = 'same page'")
    page.click("button.like")
    expect(page.locator(".like-count")).to_have_text("1")
    assert page.evaluate("window.__marker") == "same page"  # no reload happened
    page.reload()
    assert page.locator(".like-count").inner_text() == "1"
