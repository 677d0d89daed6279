"""Two fans in two browser contexts: one shares a live campaign into their direct
conversation, the other sees the card appear without reloading, pre-orders from it, and
the order records the conversation as its source and the sharer as its referrer."""

import pytest
from helpers import make_campaign, make_user
from sqlalchemy import select

from community.kernel.extensions import db
from community.messages import sending, service
from products.orders.models import Order

pytestmark = pytest.mark.e2e

PASSWORD = "long-enough-pass"


@pytest.fixture
def site(sqlite_app, live_servers):
    # A quicker poll than the default 3 s keeps the test short; the mechanism is the same.
    return live_servers.start(sqlite_app.config["SQLALCHEMY_DATABASE_URI"], workers=2,
                              env={"FANFORGE_MESSAGES_POLL_SECONDS": "1"})


@pytest.fixture
def chat(sqlite_app):
    with sqlite_app.app_context():
        sharer = make_user("sharer", password=PASSWORD)
        make_user("buyer", password=PASSWORD)
        campaign = make_campaign(cap=20, per_buyer=3)
        conversation, _ = service.start(sharer, ["buyer"])
        sending.send(conversation.id, sharer, "Hi! Look what I found.")
        return {"campaign": campaign.id, "conversation": conversation.id, "sharer": sharer.id,
                "product": campaign.product.name}


def test_share_a_campaign_and_preorder_from_the_card(site, chat, signed_in, sqlite_app):
    conversation_url = f"{site}/conversations/{chat['conversation']}"
    # The buyer is on a phone: the card must fit the conversation's scrolling box.
    buyer = signed_in("buyer", PASSWORD, viewport={"width": 390, "height": 844},
                      is_mobile=True, has_touch=True)
    buyer.goto(conversation_url)
    buyer.wait_for_selector("[data-testid=message]", timeout=20_000)  # a busy 2-core CI box
    assert buyer.locator("[data-testid=card-campaign]").count() == 0
    buyer.evaluate("window.__sameDocument = true")

    sharer = signed_in("sharer", PASSWORD)
    sharer.goto(f"{site}/share?kind=campaign&id={chat['campaign']}")
    sharer.wait_for_selector("[data-testid=share-preview] [data-testid=card-campaign]")
    sharer.check("[data-testid=share-place]")
    sharer.fill("#comment", "Shall we back this?")
    sharer.click("[data-testid=share-submit]")
    sharer.wait_for_url(f"{conversation_url}**")
    sharer.wait_for_selector("[data-testid=card-campaign]")

    # The poll brings the card to the buyer's open page: no reload.
    card = buyer.wait_for_selector("[data-testid=messages] [data-testid=card-campaign]",
                                   timeout=15_000)
    assert buyer.evaluate("window.__sameDocument") is True
    assert chat["product"] in card.inner_text()
    # Neither cut off at the side nor left below the box: the list scrolled to it.
    box = buyer.get_by_test_id("messages").bounding_box()
    shown = buyer.locator("[data-testid=messages] [data-testid=card-preorder]").bounding_box()
    assert box["x"] <= shown["x"] and shown["x"] + shown["width"] <= box["x"] + box["width"] + 1
    assert box["y"] <= shown["y"] and shown["y"] + shown["height"] <= box["y"] + box["height"] + 1
    assert "Shall we back this?" in buyer.locator("[data-testid=messages]").inner_text()
    buyer.fill("[data-testid=messages] [data-testid=card-quantity]", "2")
    buyer.click("[data-testid=messages] [data-testid=card-preorder]")
    buyer.wait_for_url("**/preorders/**")
    buyer.goto(buyer.url.split("/preorders/")[0] + "/me/preorders")
    assert "× 2" in buyer.locator("[data-testid=my-preorders] li").first.inner_text()

    with sqlite_app.app_context():
        order = db.session.scalars(select(Order)).one()
        assert (order.source_kind, order.source_id) == ("conversation", chat["conversation"])
        assert order.referrer_id == chat["sharer"] != order.buyer_id
        assert order.quantity == 2
