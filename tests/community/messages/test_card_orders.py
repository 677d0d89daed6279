"""Ordering from a share card in a conversation: the same pre-order service (stock,
idempotency key), the conversation as the order's source, the sharer as its referrer and
never the buyer; a conversation the buyer is not in is a 404 and writes nothing."""

import pytest
from apicheck import assert_conforms
from helpers import PASSWORD, make_campaign, make_user
from sqlalchemy import func, select

from community.accounts import tokens
from community.accounts.models import User
from community.kernel.errors import NotFound, ValidationError
from community.kernel.extensions import db
from community.messages import sending, service
from products.campaigns.models import Campaign
from products.funnel import service as funnel
from products.orders import service as orders
from products.orders.models import Order


@pytest.fixture
def chat(app):
    with app.app_context():
        sharer, buyer, outsider = make_user("sharer"), make_user("buyer"), make_user("outsider")
        campaign = make_campaign(cap=5, per_buyer=3)
        conversation, _ = service.start(sharer, ["buyer"])
        sending.send(conversation.id, sharer, "Look!", ("campaign", campaign.id))
        return {"campaign": campaign.id, "tier": campaign.tiers[0].id,
                "product": campaign.product_id, "conversation": conversation.id,
                "sharer": sharer.id, "buyer": buyer.id, "outsider": outsider.id,
                "buyer_token": tokens.create_token(buyer, "t")[1],
                "outsider_token": tokens.create_token(outsider, "t")[1]}


def _orders():
    return db.session.scalar(select(func.count()).select_from(Order))


def test_the_card_form_orders_with_source_and_referrer(app, chat):
    client = app.test_client()
    client.post("/login", data={"login": "buyer", "password": PASSWORD})
    page = client.get(f"/conversations/{chat['conversation']}").get_data(as_text=True)
    card = page.split('data-testid="card-campaign"')[1]
    assert 'name="source_kind" value="conversation"' in card
    assert f'name="source_id" value="{chat["conversation"]}"' in card
    response = client.post(f"/campaigns/{chat['campaign']}/preorder", data={
        "tier": chat["tier"], "quantity": 2, "idempotency_key": "card-1",
        "source_kind": "conversation", "source_id": chat["conversation"],
        "next": f"/conversations/{chat['conversation']}"})
    assert response.status_code == 302 and "/preorders/" in response.headers["Location"]
    with app.app_context():
        order = db.session.scalars(select(Order)).one()
        assert (order.source_kind, order.source_id, order.referrer_id, order.quantity) == (
            "conversation", chat["conversation"], chat["sharer"], 2)
        assert db.session.get(Campaign, chat["campaign"]).reserved_units == 2
        figures = funnel.funnel(db.session.get(Campaign, chat["campaign"]).product)
        assert figures["by_source"] == {"conversation": 2}
        (top,) = funnel.top_sharers(chat["product"])
        assert (top[0].id, top[1]) == (chat["sharer"], 2)
    page = client.get(f"/conversations/{chat['conversation']}").get_data(as_text=True)
    assert 'data-testid="card-units">2<' in page  # live figures, not a snapshot


def test_the_api_takes_a_source(app, chat):
    client = app.test_client()
    path = f"/api/v1/campaigns/{chat['campaign']}/preorders"
    body = {"tier": chat["tier"], "quantity": 1,
            "source": {"kind": "conversation", "id": chat["conversation"]}}
    headers = {"Authorization": f"Bearer {chat['buyer_token']}", "Idempotency-Key": "api-1"}
    placed = client.post(path, json=body, headers=headers)
    order = assert_conforms(app, placed, "POST", "/api/v1/campaigns/{campaign_id}/preorders")
    assert placed.status_code == 201 and order["source"] == {"kind": "conversation",
                                                            "id": chat["conversation"]}
    assert order["referrer"]["username"] == "sharer"
    outsider = client.post(path, json=body, headers={
        "Authorization": f"Bearer {chat['outsider_token']}", "Idempotency-Key": "api-2"})
    assert outsider.status_code == 404
    assert_conforms(app, outsider, "POST", "/api/v1/campaigns/{campaign_id}/preorders")
    with app.app_context():
        assert _orders() == 1
        assert db.session.get(Campaign, chat["campaign"]).reserved_units == 1


def test_the_sharer_ordering_from_their_own_card_refers_nobody(ctx, chat):
    sharer = db.session.get(User, chat["sharer"])
    order, created = orders.place_order(chat["campaign"], sharer, chat["tier"], 1, "own",
                                        source_kind="conversation",
                                        source_id=chat["conversation"])
    assert created and order.referrer_id is None


def test_a_place_without_that_card_or_unseen_writes_nothing(ctx, chat):
    buyer = db.session.get(User, chat["buyer"])
    other = make_campaign()
    with pytest.raises(ValidationError) as error:
        orders.place_order(other.id, buyer, other.tiers[0].id, 1, "k1",
                           source_kind="conversation", source_id=chat["conversation"])
    assert error.value.code == "no_such_card"
    with pytest.raises(NotFound):
        orders.place_order(chat["campaign"], db.session.get(User, chat["outsider"]), chat["tier"],
                           1, "k2", source_kind="conversation", source_id=chat["conversation"])
    with pytest.raises(NotFound):
        orders.place_order(chat["campaign"], buyer, chat["tier"], 1, "k3",
                           source_kind="conversation", source_id=None)
    assert _orders() == 0
    assert db.session.get(Campaign, chat["campaign"]).reserved_units == 0


def test_a_product_card_sells_its_current_campaign(ctx, chat):
    sharer, buyer = db.session.get(User, chat["sharer"]), db.session.get(User, chat["buyer"])
    conversation, _ = service.start(buyer, ["sharer"], "Product chat")
    sending.send(conversation.id, sharer, "", ("product", chat["product"]))
    order, _ = orders.place_order(chat["campaign"], buyer, chat["tier"], 1, "p1",
                                  source_kind="conversation", source_id=conversation.id)
    assert order.referrer_id == sharer.id


def test_a_draft_campaign_cannot_be_shared(ctx, chat):
    draft = make_campaign(publish=False)
    with pytest.raises(ValidationError) as error:
        sending.send(chat["conversation"], db.session.get(User, chat["sharer"]), "",
                     ("campaign", draft.id))
    assert error.value.code == "share_not_visible"
