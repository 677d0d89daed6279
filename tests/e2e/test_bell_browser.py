"""On a 390 px phone, in chromium: the bell opens a drop-down of the latest notifications
(read once shown, closed by Escape with focus back on the bell) whose items lead where
they happened; j/k walk a thread's posts and "?" lists the shortcuts; a long conversation
opens at its newest message."""

import pytest
from helpers import make_thread, make_user
from playwright.sync_api import expect

from community.accounts import service as accounts
from community.forum import service as forum
from community.messages import sending
from community.messages import service as messages

pytestmark = pytest.mark.e2e

PASSWORD = "long-enough-pass"
PHONE = {"viewport": {"width": 390, "height": 844}}


@pytest.fixture
def world(sqlite_app):
    with sqlite_app.app_context():
        lilei = make_user("lilei", password=PASSWORD)
        make_user("hanmei", password=PASSWORD)
        thread = make_thread(author=lilei, title="Strap colours", body="Which one?")
        forum.reply(thread, accounts.get_by_username("hanmei"), "Coral, surely.")
        chat, _ = messages.start(accounts.get_by_username("hanmei"), ["lilei"])
        for n in range(40):
            sending.send(chat.id, accounts.get_by_username("hanmei"), f"Message number {n}")
        return {"thread": thread.id, "chat": chat.id}


def test_the_bell_drops_down_the_latest_and_leads_there(site, world, signed_in):
    page = signed_in("lilei", PASSWORD, **PHONE)
    bell = page.locator("[data-testid=bell]")
    expect(page.locator("[data-testid=bell-count]")).to_have_text("1")
    expect(bell).to_have_attribute("aria-expanded", "false")
    tab_badge = page.locator("[data-testid=tab-badge] [aria-hidden=true]")
    expect(tab_badge).to_have_text("2")  # the notice and the unread conversation

    bell.click()
    panel = page.locator("[data-testid=bell-panel]")
    expect(panel).to_be_visible()
    expect(bell).to_have_attribute("aria-expanded", "true")
    item = panel.locator("[data-testid=bell-item]").first
    expect(item).to_contain_text("hanmei replied to “Strap colours”")
    expect(page.locator("[data-testid=bell-count]")).to_have_count(0)  # shown, so read
    expect(tab_badge).to_have_text("1")
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # on the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(bell).to_be_focused()
    page.keyboard.press("Enter")  # the bell again, from the keyboard
    expect(panel).to_be_visible()
    expect(panel.locator("[data-testid=bell-see-all]")).to_have_attribute("href", "/notifications")

    item.locator("a").click()
    page.wait_for_url(f"**/t/{world['thread']}*")
    expect(page.locator("article.post").nth(1)).to_contain_text("Coral, surely.")
    expect(page.locator("[data-testid=bell-count]")).to_have_count(0)

    # j / k walk the posts with a visible focus; "?" lists the shortcuts.
    page.keyboard.press("j")
    expect(page.locator("article.post").first).to_be_focused()
    page.keyboard.press("j")
    expect(page.locator("article.post").nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(page.locator("article.post").first).to_be_focused()
    outline = page.locator("article.post").first.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("?")
    expect(page.locator("[data-testid=shortcuts-help]")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("[data-testid=shortcuts-help]")).to_be_hidden()
    # Not while typing: "j" in the search box is a letter.
    page.keyboard.press("/")
    search = page.locator("[data-testid=header-search]")
    expect(search).to_be_focused()
    page.keyboard.type("jk")
    expect(search).to_have_value("jk")


def test_a_conversation_opens_at_its_newest_message(site, world, signed_in):
    page = signed_in("lilei", PASSWORD, **PHONE)
    page.goto(f"{site}/conversations")
    link = page.locator("[data-testid=conversation] a").first
    assert "#m" in link.get_attribute("href")  # without script too, the newest message
    page.keyboard.press("j")  # the list's first item, and Enter opens it
    expect(page.locator("[data-testid=conversation]").first).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/conversations/{world['chat']}#m*")
    for _ in range(2):  # by its link (an anchor), and by its plain address (the script)
        newest = page.locator("[data-testid=message]").last
        expect(newest).to_contain_text("Message number 39")
        expect(newest).to_be_in_viewport()
        expect(page.locator("[data-testid=message]").first).not_to_be_in_viewport()
        page.goto(f"{site}/conversations/{world['chat']}")
