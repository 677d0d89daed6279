"""In chromium: a fan reports a reply through the plain form, staff find it in the queue
grouped with its reason, hide it and see the way to its author's moderation page; the fan
is told the content was removed. (Suspending the author lands with community/moderation.)"""

import pytest
from helpers import make_board, make_thread, make_user
from playwright.sync_api import expect

from community.forum import service as forum

pytestmark = pytest.mark.e2e
PASSWORD = "long-enough-pass"


@pytest.fixture
def reply(sqlite_app):
    with sqlite_app.app_context():
        author = make_user("shouty", password=PASSWORD)
        make_user("watcher", password=PASSWORD)
        make_user("keeper", role="staff", password=PASSWORD)
        thread = make_thread(make_board("lobby"), author, "Hello all")
        return thread.id, forum.reply(thread, author, "Cheap followers here").id


def test_report_a_reply_staff_hide_it_and_the_reporter_hears(site, reply, signed_in):
    thread_id, reply_id = reply
    fan = signed_in("watcher")
    fan.goto(f"{site}/t/{thread_id}")
    fan.locator(f"#post-{reply_id} [data-testid=report-post]").click()
    fan.check("input[name=reason][value=spam]")
    fan.click("[data-testid=send-report]")
    expect(fan.locator(".flash").first).to_contain_text("staff will look")

    staff = signed_in("keeper")
    staff.goto(f"{site}/mod/reports")
    row = staff.locator("[data-testid=report-row]")
    expect(row).to_contain_text("Cheap followers here")
    expect(row).to_contain_text("Spam (1)")
    row.locator("[data-testid=review-report]").click()
    expect(staff.locator("[data-testid=moderate-author]")).to_have_attribute(
        "href", "/mod/users/shouty")
    staff.click("[data-testid=hide-target]")
    expect(staff.locator("[data-testid=reports]")).to_contain_text("No reports waiting.")

    fan.goto(f"{site}/notifications")
    expect(fan.locator("body")).to_contain_text("the content was removed")
    fan.goto(f"{site}/t/{thread_id}")
    expect(fan.locator(f"#post-{reply_id}")).to_contain_text("hidden by the moderators")
