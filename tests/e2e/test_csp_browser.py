"""With the Content-Security-Policy on (community/web/securityheaders.py), a fan clicks through
the main pages in chromium (votes, replies, pre-orders, chats, and a card arriving by the
chat's poll) and the browser refuses nothing: no securitypolicyviolation event, no CSP
error in the console, and every page it was given carried the policy."""

import pytest
from helpers import make_board, make_campaign, make_product, make_thread, make_user
from playwright.sync_api import expect

from community.accounts.models import User
from community.ideas import service as ideas
from community.kernel.extensions import db
from community.messages import sending
from community.messages import service as messages

pytestmark = pytest.mark.e2e
PASSWORD = "long-enough-pass"
TABLE = "| left | right |\n|:--|--:|\n| 1 | 2 |"
# Playwright's init scripts and evaluate() run whatever the page's policy says; its
# wait_for_function does not (it compiles its string in the page: 'unsafe-eval'), so these
# tests wait with locators.
WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.cspViolation(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " +
                      e.documentURI);
});
"""


@pytest.fixture
def site(sqlite_app, live_servers):
    return live_servers.start(sqlite_app.config["SQLALCHEMY_DATABASE_URI"], workers=2,
                              env={"FANFORGE_MESSAGES_POLL_SECONDS": "1"})


@pytest.fixture
def world(sqlite_app):
    with sqlite_app.app_context():
        staff = make_user("keeper", role="staff", password=PASSWORD)
        make_user("roamer", password=PASSWORD)
        friend = make_user("friend", password=PASSWORD)
        board = make_board("band", "Band")
        idea = ideas.propose(board, staff, "Twenty days of battery", TABLE)
        thread = make_thread(board, staff, title="Strap colours", body=TABLE)
        product = make_product(board, staff, slug="forge-band")
        campaign = make_campaign(product, staff, cap=20, per_buyer=3)
        conversation, _ = messages.start(friend, ["roamer"])
        sending.send(conversation.id, friend, "Look!", ("campaign", campaign.id))
        return {"board": board.slug, "idea": idea.id, "thread": thread.id,
                "product": product.slug, "campaign": campaign.id,
                "conversation": conversation.id, "friend": friend.id}


def test_the_main_pages_run_under_the_policy(site, world, new_page, sqlite_app):
    page = new_page()
    refused, pages = [], []
    page.context.expose_function("cspViolation", lambda seen: refused.append(seen))
    page.context.add_init_script(WATCH)
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.on("response", lambda r: pages.append(r) if r.request.resource_type == "document"
            else None)

    page.goto(site + "/login")
    page.fill("#login", "roamer")
    page.fill("#password", PASSWORD)
    page.click("[data-testid=submit-login]")
    page.wait_for_url(site + "/")

    page.goto(f"{site}/ideas/{world['idea']}")  # a vote, without a reload
    page.click("[data-testid=vote-button]")
    expect(page.locator(".vote-count")).to_have_text("1")

    page.goto(f"{site}/t/{world['thread']}")  # a reply
    page.fill("#body", "**Coral**, please.")
    page.click("[data-testid=submit-reply]")
    page.wait_for_url("**/t/*#post-*")

    page.goto(f"{site}/products/{world['product']}")  # a pre-order from the widget
    widget = page.locator("[data-testid=campaign-widget]")
    widget.locator("[data-testid=preorder-quantity]").fill("2")
    widget.locator("[data-testid=preorder-submit]").click()
    page.wait_for_url("**/preorders/**")

    page.goto(f"{site}/conversations/{world['conversation']}")  # a chat, and a card by poll
    page.wait_for_selector("[data-testid=messages] [data-testid=card-campaign]")
    page.fill("[data-testid=message-body]", "Backed it!")
    page.click("[data-chat-form] button")
    expect(page.locator("[data-testid=message]")).to_have_count(2)
    with sqlite_app.app_context():
        sending.send(world["conversation"], db.session.get(User, world["friend"]), "Again",
                     ("campaign", world["campaign"]))
    expect(page.locator("[data-testid=messages] [data-testid=card-campaign]")).to_have_count(
        2, timeout=15_000)

    for path in ("/", f"/b/{world['board']}", "/ideas", "/products", "/leaderboards",
                 "/circles", "/search?q=battery", "/u/roamer", "/settings", "/notifications",
                 "/conversations", "/me/preorders"):
        page.goto(site + path)
        page.wait_for_load_state("load")

    assert refused == []
    assert len(pages) > 15
    for response in pages:
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, response.url

    # The watch sees what the policy refuses (so an empty list above means something).
    page.evaluate("document.body.insertAdjacentHTML('beforeend',"
                  " '<img src=\"/favicon.ico\" onload=\"void 0\">')")
    for _ in range(50):
        if refused:
            break
        page.wait_for_timeout(100)
    assert any("script-src" in seen for seen in refused), refused
