"""Co-creation is earned: joining needs a confirmed address and a contribution (or the
configured level), staff grant and take it back, and its rights (F-codes, the early
window of a tier) go only to co-creators who qualify when they are used."""

from datetime import timedelta

import pytest
from catalog_factories import make_idea
from catalog_factories import make_product as make_promoted
from helpers import make_campaign, make_contributor, make_product, make_user
from sqlalchemy import update

from community.accounts.levels import LEVELS
from community.accounts.models import User
from community.forum import service as forum
from community.ideas import service as ideas
from community.kernel.database import utcnow
from community.kernel.errors import Conflict, Forbidden, NotFound
from community.kernel.extensions import db
from community.moderation import service as sanctions_service
from products.campaigns import service as campaigns
from products.campaigns.models import FCode
from products.catalog import catalog, cocreation, participation
from products.catalog.models import CoCreator
from products.orders import service as orders


def _refused(product, user, code):
    with pytest.raises(Forbidden) as caught:
        participation.join(product, user)
    assert caught.value.code == code
    assert not participation.is_cocreator(product.id, user)
    return caught.value.message


def _points(user, points):
    db.session.execute(update(User).where(User.id == user.id).values(points=points))
    db.session.commit()
    db.session.refresh(user)


def test_a_brand_new_account_cannot_join_in_one_click(ctx):
    idea = make_idea()
    product = make_promoted([idea])
    message = _refused(product, make_user(), "contribution_required")
    assert "vote for one of the ideas" in message
    assert catalog.get_product(product.slug).cocreator_count == 1  # the proposer alone


def test_an_unconfirmed_address_cannot_join_even_with_a_vote(ctx):
    idea = make_idea()
    product = make_promoted([idea])
    unconfirmed = make_user(verified=False)
    ideas.vote(idea.id, unconfirmed)  # voting needs no confirmed address; joining does
    assert "Confirm your email" in _refused(product, unconfirmed, "email_unverified")
    ctx.config["REQUIRE_VERIFIED_EMAIL"] = False
    assert participation.join(product, unconfirmed) is True


def test_votes_and_visible_posts_on_the_origin_ideas_or_thread_earn_a_place(ctx):
    idea, elsewhere = make_idea(), make_idea()
    product = make_promoted([idea])
    voter, idea_replier, thread_replier, off_topic, removed = (make_user() for _ in range(5))
    ideas.vote(idea.id, voter)
    forum.reply(idea.thread, idea_replier, "Yes please, with a metal strap.")
    make_contributor(product, thread_replier)
    ideas.vote(elsewhere.id, off_topic)  # another idea: no contribution to this product
    post = forum.reply(idea.thread, removed, "Me too.")
    forum.delete_post(post, removed)
    for fan in (voter, idea_replier, thread_replier):
        assert participation.join(product, fan) is True
    _refused(product, off_topic, "contribution_required")
    _refused(product, removed, "contribution_required")
    assert catalog.get_product(product.slug).cocreator_count == 4


def test_a_level_set_by_staff_lets_a_seasoned_fan_join_anything(ctx):
    product = make_promoted([make_idea()])
    seasoned = make_user()
    _points(seasoned, LEVELS[cocreation.DEFAULT_MIN_LEVEL - 1].points - 1)
    _refused(product, seasoned, "contribution_required")
    _points(seasoned, LEVELS[cocreation.DEFAULT_MIN_LEVEL - 1].points)
    ctx.config["COCREATOR_MIN_LEVEL"] = cocreation.DEFAULT_MIN_LEVEL + 1
    assert f"level {cocreation.DEFAULT_MIN_LEVEL + 1}" in _refused(
        product, seasoned, "contribution_required")
    ctx.config["COCREATOR_MIN_LEVEL"] = cocreation.DEFAULT_MIN_LEVEL
    assert participation.join(product, seasoned) is True


def test_staff_grant_and_take_back_co_creation(ctx):
    staff, proposer = make_user(role="staff"), make_user()
    product = make_promoted([make_idea(author=proposer)], staff)
    fan, unconfirmed = make_user(), make_user(verified=False)
    with pytest.raises(Forbidden):
        participation.grant(product, fan, fan.username)  # fans cannot grant themselves
    assert participation.grant(product, staff, fan.username.upper()).id == fan.id
    row = db.session.get(CoCreator, (product.id, fan.id))
    assert (row.source, row.granted_by_id) == ("participant", staff.id)
    assert row.granted_at is not None
    assert cocreation.qualifies(product.id, fan)
    assert catalog.get_product(product.slug).cocreator_count == 2
    assert [r.user_id for r in participation.granted(product.id)] == [fan.id]
    with pytest.raises(Forbidden) as caught:
        participation.grant(product, staff, unconfirmed.username)
    assert (caught.value.code, caught.value.field) == ("email_unverified", "username")
    with pytest.raises(NotFound) as caught:
        participation.grant(product, staff, "nobody-by-that-name")
    assert caught.value.field == "username"

    participation.revoke(product, staff, fan.id)
    assert not participation.is_cocreator(product.id, fan)
    assert not cocreation.qualifies(product.id, fan)
    assert catalog.get_product(product.slug).cocreator_count == 1
    with pytest.raises(Conflict):
        participation.revoke(product, staff, proposer.id)  # proposers stay credited
    with pytest.raises(NotFound):
        participation.revoke(product, staff, fan.id)
    with pytest.raises(Forbidden):
        participation.revoke(product, fan, proposer.id)


def test_f_codes_go_only_to_cocreators_who_qualify_when_issued(ctx):
    staff = make_user(role="staff")
    granted, unconfirmed, banned = make_user(), make_user(verified=False), make_user()
    clicked, earned_later = make_user(), make_user()
    product = make_product(staff=staff, cocreators=[granted, unconfirmed, banned],
                           clicked=[clicked, earned_later])
    make_contributor(product, earned_later)
    sanctions_service.ban_user(banned, staff, "spam")
    assert cocreation.qualifying(product.id) == {granted.id, earned_later.id}
    campaign = make_campaign(product, staff)  # published: co-creators get their codes
    holders = {code.user_id for code in db.session.query(FCode).filter_by(campaign_id=campaign.id)}
    assert holders == {granted.id, earned_later.id}
    assert campaigns.issue_f_codes(campaign.id, staff, [clicked.id, unconfirmed.id, banned.id]) == []


def test_the_early_tier_is_for_qualifying_cocreators_only(ctx):
    staff = make_user(role="staff")
    granted, clicked, earned = make_user(), make_user(), make_user()
    product = make_product(staff=staff, cocreators=[granted], clicked=[clicked, earned])
    make_contributor(product, earned)
    tiers = [{"name": "Founders", "price_cents": 9900, "currency": "CNY",
              "early_until": utcnow() + timedelta(hours=2)}]
    campaign = make_campaign(product, staff, tiers=tiers)
    tier = campaign.tiers[0].id
    with pytest.raises(Conflict) as caught:
        orders.place_order(campaign.id, clicked, tier, 1, "clicked")
    assert caught.value.code == "early_access_only"
    assert "voted for or discussed" in caught.value.message
    for fan in (granted, earned):
        order, created = orders.place_order(campaign.id, fan, tier, 1, f"fan-{fan.id}")
        assert created and order.f_code_id is None  # by right, no code spent
    participation.revoke(product, staff, granted.id)
    with pytest.raises(Conflict) as caught:
        orders.place_order(campaign.id, granted, tier, 1, "again")
    assert caught.value.code == "early_access_only"


def test_one_cocreators_standing_never_lends_itself_to_another(ctx):
    """Each co-creator is judged on their own rows and this product's: a seasoned fan, a
    voter and a poster beside a one-click co-creator, or that one's contributions to
    another product, leave that one without rights, on every path."""
    staff, seasoned, clicked = make_user(role="staff"), make_user(), make_user()
    idea = make_idea()
    product = make_promoted([idea], staff)
    voter, poster = make_user(), make_user()
    ideas.vote(idea.id, voter)
    make_contributor(product, poster)
    _points(seasoned, LEVELS[-1].points)
    for fan in (seasoned, voter, poster):
        participation.join(product, fan)
    other = make_idea()
    other_product = make_promoted([other], staff)
    ideas.vote(other.id, clicked)  # a contribution to another product only
    make_contributor(other_product, clicked)
    db.session.add(CoCreator(product_id=product.id, user_id=clicked.id, source="participant"))
    db.session.commit()
    assert clicked.id not in cocreation.qualifying(product.id)
    assert {seasoned.id, voter.id, poster.id} <= cocreation.qualifying(product.id)
    assert not cocreation.qualifies(product.id, clicked)
    assert cocreation.qualifying_products(clicked, [product.id]) == set()
    assert cocreation.qualifying_products(voter, [product.id]) == {product.id}
