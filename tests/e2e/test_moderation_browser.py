"""Staff suspend a member from their profile's moderation page; the member, reading in
another browser, sees until when and why on every page and cannot reply (chromium, real
gunicorn with two workers and the page cache)."""

import pytest
from helpers import make_board, make_thread, make_user
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
PASSWORD = "long-enough-pass"


def test_staff_suspend_an_author_who_then_sees_the_notice(site, sqlite_app, signed_in):
    with sqlite_app.app_context():
        make_user("loudmouth", password=PASSWORD)
        make_user("keeper", role="staff", password=PASSWORD)
        thread_id = make_thread(board=make_board("square", "Square"), title="Town talk").id
    author = signed_in("loudmouth")
    author.goto(f"{site}/t/{thread_id}")
    expect(author.locator("[data-testid=suspension-notice]")).to_have_count(0)

    staff = signed_in("keeper")
    staff.goto(f"{site}/u/loudmouth")
    staff.click("[data-testid=moderate-member]")
    staff.check("input[name=length][value=week]")
    staff.fill("#suspend-reason", "Insulting other fans")
    staff.click("[data-testid=suspend-form] button[type=submit]")
    expect(staff.locator("[data-testid=member-suspended]")).to_contain_text("Insulting other fans")

    author.goto(f"{site}/t/{thread_id}")
    notice = author.locator("[data-testid=suspension-notice]")
    expect(notice).to_contain_text("Insulting other fans")
    expect(notice).to_contain_text("suspended until")
    author.fill("#body", "You are all wrong")
    author.click("[data-testid=submit-reply]")
    expect(author.locator("body")).to_contain_text("You can read, but not post")
    author.goto(f"{site}/")
    expect(author.locator("[data-testid=suspension-notice]")).to_be_visible()
