import pytest
from catalog_factories import make_idea, make_product
from helpers import make_contributor, make_user

from community.ideas import service as ideas
from community.kernel.errors import Conflict, Forbidden
from community.moderation import service as sanctions_service
from products.catalog import catalog, participation, stages


def test_joining_is_idempotent_counted_once_and_credited_for_good(ctx):
    staff, proposer = make_user(role="staff"), make_user("proposer")
    idea = make_idea(author=proposer)
    product = make_product([idea], staff)
    fan = make_user("fan")
    ideas.vote(idea.id, fan)  # a contribution: joining is earned
    assert participation.join(product, fan) is True
    assert participation.join(product, fan) is False
    assert participation.join(product, proposer) is False  # already a co-creator
    assert product.cocreator_count == 2
    assert catalog.get_product(product.slug).cocreator_count == 2
    assert participation.is_cocreator(product.id, fan)
    stages.set_stage(product, staff, "shipped")
    rows = participation.cocreators(product.id)
    assert [(r.user.username, r.source) for r in rows] == [("proposer", "proposer"),
                                                           ("fan", "participant")]
    assert [p.id for p in participation.products_of(fan.id)] == [product.id]
    assert participation.cocreator_ids(product.id, [fan.id, staff.id]) == {fan.id}


def test_banned_and_anonymous_users_cannot_join(ctx):
    staff, fan = make_user(role="staff"), make_user()
    product = make_product(staff=staff)
    sanctions_service.ban_user(fan, staff, "spam")
    with pytest.raises(Forbidden) as caught:
        participation.join(product, fan)
    assert caught.value.code == "banned"
    with pytest.raises(Forbidden):
        participation.join(product, None)
    assert catalog.get_product(product.slug).cocreator_count == 1


def test_a_cancelled_product_takes_no_one_new(ctx):
    staff, fan = make_user(role="staff"), make_user()
    product = make_product(staff=staff)
    make_contributor(product, fan)
    stages.set_stage(product, staff, "cancelled", "Not feasible.")
    with pytest.raises(Conflict) as caught:
        participation.join(product, fan)
    assert caught.value.code == "product_cancelled"
    assert not participation.is_cocreator(product.id, fan)
