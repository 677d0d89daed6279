"""Social proof on idea and product pages, and ordering from a card in a circle thread."""

import pytest
from circle_factories import add_member, make_circle, make_fan
from helpers import PASSWORD, make_board, make_campaign, make_user
from querycount import counting

from community.accounts import follows
from community.circles import threads
from community.ideas import service as ideas
from community.kernel.errors import NotFound
from community.viewer import social
from products.orders import service as orders


def test_idea_voters_among_people_followed_and_circle_members(ctx):
    me = make_fan("me")
    followed = [make_user(name) for name in ("zhao", "qian", "sun", "li")]
    for person in followed:
        follows.follow(me, "user", person.id)
    circle_mates = [make_fan("wu"), make_fan("zheng")]
    make_circle(me, members=circle_mates)
    stranger = make_user("stranger")
    idea = ideas.propose(make_board(), stranger, "Longer battery please", "b")
    for voter in followed + circle_mates[:1] + [stranger]:
        ideas.vote(idea.id, voter)
    people, circles = social.proof("idea", idea.id, me)
    assert (people.count, people.names) == (4, ["li", "qian", "sun"])
    assert (circles.count, circles.names) == (1, ["wu"])
    with ctx.test_request_context():
        assert social.lines("idea", idea.id, me) == [
            "li, qian, sun and 1 other you follow voted for this",
            "wu from your circles voted for this"]
    assert social.proof("idea", idea.id, None) is None


def test_the_proof_costs_the_same_queries_whatever_the_sizes(app):
    counts = []
    with app.app_context():
        me = make_fan("me")
        idea = ideas.propose(make_board(), make_user(), "Count my queries", "b")
        circle = make_circle(me)
        for size in (2, 20):
            for _ in range(size):
                fan = make_fan()
                follows.follow(me, "user", fan.id)
                ideas.vote(idea.id, fan)
                circle_mate = make_fan()
                add_member(circle, circle_mate)
                ideas.vote(idea.id, circle_mate)
            me_id = me.id  # noqa: F841  (loads the expired fan before counting)
            with counting() as statements:
                people, circles = social.proof("idea", idea.id, me)
            counts.append(len(statements))
            assert people.count == circles.count == sum((2, 20)[: (2, 20).index(size) + 1])
    assert counts[0] == counts[1] == 1


def test_pages_show_the_line_to_signed_in_fans(app, client):
    with app.app_context():
        me = make_fan("me")
        friend = make_user("friend")
        follows.follow(me, "user", friend.id)
        idea = ideas.propose(make_board(), friend, "Show me the proof", "b")
        ideas.vote(idea.id, friend)
        campaign = make_campaign()
        orders.place_order(campaign.id, friend, campaign.tiers[0].id, 1, "k")
        idea_id, slug = idea.id, campaign.product.slug
    assert 'data-testid="social-proof"' not in client.get(f"/ideas/{idea_id}").get_data(as_text=True)
    client.post("/login", data={"login": "me", "password": PASSWORD})
    page = client.get(f"/ideas/{idea_id}").get_data(as_text=True)
    assert "friend, whom you follow, voted for this" in page
    assert 'data-testid="share-button"' in page
    product = client.get(f"/products/{slug}").get_data(as_text=True)
    assert "friend, whom you follow, backed this" in product


def test_an_order_from_a_circle_card_credits_the_sharer(ctx):
    sharer, buyer = make_fan(), make_fan()
    circle = make_circle(members=[sharer, buyer], visibility="private")
    campaign = make_campaign()
    thread = threads.create_thread(circle, sharer, "Group buy?", "x")
    threads.share(thread.id, sharer, "campaign", campaign.id, "Let's get it")
    order, _ = orders.place_order(campaign.id, buyer, campaign.tiers[0].id, 1, "c1",
                                  source_kind="circle", source_id=circle.id)
    assert (order.source_kind, order.source_id, order.referrer_id) == ("circle", circle.id,
                                                                       sharer.id)
    with pytest.raises(NotFound):
        orders.place_order(campaign.id, make_fan(), campaign.tiers[0].id, 1, "c2",
                           source_kind="circle", source_id=circle.id)
