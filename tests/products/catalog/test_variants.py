"""Options and variants: staff shape them, buyers pick one, no variant is oversold."""

import json
import threading
from datetime import timedelta

import pytest
from helpers import make_campaign, make_user
from sqlalchemy import select, update

from community.accounts.models import User
from community.kernel.database import utcnow
from community.kernel.errors import Conflict, Forbidden, ValidationError
from community.kernel.extensions import db
from products.campaigns.models import Campaign, Tier
from products.catalog import polls, variants
from products.catalog.models import Poll
from products.catalog.options import Variant
from products.orders import service as orders
from products.orders.models import Order


def _shop(cap=50, per_buyer=5, price=10000):
    staff = make_user(role="staff")
    campaign = make_campaign(staff=staff, cap=cap, per_buyer=per_buyer,
                             tiers=[{"name": "Standard", "price_cents": price, "currency": "CNY"}])
    return staff, campaign, campaign.product


def _colours_and_sizes(product, staff):
    colour = variants.add_option(product, staff, "Colour")
    for label in ("Red", "Blue"):
        variants.add_value(product, staff, colour.id, label)
    size = variants.add_option(product, staff, "Size")
    for label in ("S", "M", "L"):
        variants.add_value(product, staff, size.id, label)
    return colour, size


def _variant(product, label):
    return next(v for v in variants.variants_of(product.id) if v.label == label)


def test_generating_makes_every_combination_once(ctx):
    staff, _campaign, product = _shop()
    _colours_and_sizes(product, staff)
    variants.add_option(product, staff, "Engraving", "text", max_length=12)
    assert variants.generate_variants(product, staff) == 6
    labels = [v.label for v in variants.variants_of(product.id)]
    assert labels == ["Red / S", "Red / M", "Red / L", "Blue / S", "Blue / M", "Blue / L"]
    assert len({v.sku for v in variants.variants_of(product.id)}) == 6
    assert variants.generate_variants(product, staff) == 0  # nothing missing
    size = next(o for o in variants.options_of(product.id) if o.name == "Size")
    variants.add_value(product, staff, size.id, "XL")
    assert variants.generate_variants(product, staff) == 2


def test_staff_only_and_bad_input_refused(ctx):
    staff, _campaign, product = _shop()
    fan = make_user()
    with pytest.raises(Forbidden):
        variants.add_option(product, fan, "Colour")
    colour = variants.add_option(product, staff, "Colour")
    with pytest.raises(Conflict):
        variants.add_option(product, staff, "Colour")  # the name is taken
    with pytest.raises(ValidationError):
        variants.add_option(product, staff, "x" * 61)
    with pytest.raises(ValidationError):
        variants.add_option(product, staff, "Engraving", "text", max_length=0)
    with pytest.raises(ValidationError):
        variants.generate_variants(product, staff)  # a choice without values
    variants.add_value(product, staff, colour.id, "Red")
    with pytest.raises(Conflict):
        variants.add_value(product, staff, colour.id, "red")
    with pytest.raises(Forbidden):
        variants.generate_variants(product, fan)
    variants.generate_variants(product, staff)
    red = _variant(product, "Red")
    with pytest.raises(Conflict):
        variants.remove_value(product, staff, red.links[0].option_value_id)  # in use


def test_edit_a_variant_and_cap_not_below_reserved(ctx):
    staff, campaign, product = _shop()
    colour = variants.add_option(product, staff, "Colour")
    variants.add_value(product, staff, colour.id, "Red")
    variants.generate_variants(product, staff)
    red = _variant(product, "Red")
    variants.update_variant(product, staff, red.id, "RED-1", "Crimson", -500, 4, True)
    buyer = make_user()
    orders.place_order(campaign.id, buyer, campaign.tiers[0].id, 3, "k", variant_id=red.id)
    with pytest.raises(Conflict) as caught:
        variants.update_variant(product, staff, red.id, "RED-1", "Crimson", -500, 2, True)
    assert caught.value.code == "cap_below_reserved"
    found = variants.update_variant(product, staff, red.id, "RED-1", "Crimson", -500, 3, False)
    assert (found.sku, found.label, found.cap_units, found.active) == ("RED-1", "Crimson", 3, False)


def test_order_with_a_variant_and_personalisation(ctx):
    staff, campaign, product = _shop(price=10000)
    colour = variants.add_option(product, staff, "Colour")
    variants.add_value(product, staff, colour.id, "Gold")
    engraving = variants.add_option(product, staff, "Engraving", "text", max_length=10)
    variants.generate_variants(product, staff)
    gold = _variant(product, "Gold")
    variants.update_variant(product, staff, gold.id, gold.sku, "Gold", 2500, None, True)
    buyer, tier = make_user(), campaign.tiers[0]
    order, created = orders.place_order(
        campaign.id, buyer, tier.id, 2, "k1", variant_id=gold.id,
        personalisation={str(engraving.id): "  To\x00 Mia\n"})
    assert created and order.unit_price_cents == 12500 and order.total_cents == 25000
    assert order.variant_id == gold.id and order.variant_label == "Gold"
    assert json.loads(order.personalisation) == {"Engraving": "To Mia"}
    # The label is a copy: renaming the variant later leaves the order as it was.
    variants.update_variant(product, staff, gold.id, gold.sku, "Golden", 2500, None, True)
    assert db.session.get(Order, order.id, populate_existing=True).variant_label == "Gold"
    # By name works too; too long is refused and writes nothing.
    with pytest.raises(ValidationError) as caught:
        orders.place_order(campaign.id, buyer, tier.id, 1, "k2", variant_id=gold.id,
                           personalisation={"Engraving": "x" * 11})
    assert caught.value.code == "bad_personalisation"
    with pytest.raises(ValidationError):
        orders.place_order(campaign.id, buyer, tier.id, 1, "k3", variant_id=gold.id,
                           personalisation={"Colour": "red"})  # not a text option
    assert db.session.get(Variant, gold.id, populate_existing=True).reserved_units == 2
    # The same key with another variant's body is another request: refused.
    with pytest.raises(ValidationError) as caught:
        orders.place_order(campaign.id, buyer, tier.id, 2, "k1", variant_id=gold.id)
    assert caught.value.code == "idempotency_key_reused"


def test_required_text_and_price_never_below_zero(ctx):
    staff, campaign, product = _shop(price=1000)
    colour = variants.add_option(product, staff, "Colour")
    variants.add_value(product, staff, colour.id, "Plain")
    name = variants.add_option(product, staff, "Name", "text", max_length=20, required=True)
    variants.generate_variants(product, staff)
    plain = _variant(product, "Plain")
    variants.update_variant(product, staff, plain.id, plain.sku, "Plain", -5000, None, True)
    buyer, tier = make_user(), campaign.tiers[0]
    with pytest.raises(ValidationError) as caught:
        orders.place_order(campaign.id, buyer, tier.id, 1, "k1", variant_id=plain.id)
    assert caught.value.code == "bad_personalisation" and caught.value.field == f"personalisation_{name.id}"
    order, _ = orders.place_order(campaign.id, buyer, tier.id, 1, "k2", variant_id=plain.id,
                                  personalisation={"Name": "Ada"})
    assert order.unit_price_cents == 0


def test_a_product_with_variants_needs_one_and_one_without_takes_none(ctx):
    staff, campaign, product = _shop()
    buyer, tier = make_user(), campaign.tiers[0]
    with pytest.raises(ValidationError) as caught:
        orders.place_order(campaign.id, buyer, tier.id, 1, "k0", variant_id=12345)
    assert caught.value.code == "bad_variant"
    order, _ = orders.place_order(campaign.id, buyer, tier.id, 1, "k1")
    assert order.variant_id is None and order.personalisation is None
    colour = variants.add_option(product, staff, "Colour")
    variants.add_value(product, staff, colour.id, "Red")
    variants.generate_variants(product, staff)
    with pytest.raises(ValidationError) as caught:
        orders.place_order(campaign.id, buyer, tier.id, 1, "k2")
    assert caught.value.code == "bad_variant"
    other_staff, other_campaign, other = _shop()
    shade = variants.add_option(other, other_staff, "Shade")
    variants.add_value(other, other_staff, shade.id, "Dark")
    variants.generate_variants(other, other_staff)
    foreign = variants.variants_of(other.id)[0]
    with pytest.raises(ValidationError) as caught:
        orders.place_order(campaign.id, buyer, tier.id, 1, "k3", variant_id=foreign.id)
    assert caught.value.code == "bad_variant"
    red = _variant(product, "Red")
    variants.update_variant(product, staff, red.id, red.sku, red.label, 0, None, False)
    with pytest.raises(ValidationError):  # deactivated: not on sale, and now none is
        orders.place_order(campaign.id, buyer, tier.id, 1, "k4", variant_id=red.id)
    order, _ = orders.place_order(campaign.id, buyer, tier.id, 1, "k5")
    assert order.variant_id is None


def test_variant_sold_out_and_cancel_gives_units_back(ctx):
    staff, campaign, product = _shop(cap=50, per_buyer=5)
    colour = variants.add_option(product, staff, "Colour")
    variants.add_value(product, staff, colour.id, "Red")
    variants.add_value(product, staff, colour.id, "Blue")
    variants.generate_variants(product, staff)
    red, blue = _variant(product, "Red"), _variant(product, "Blue")
    variants.update_variant(product, staff, red.id, red.sku, red.label, 0, 3, True)
    tier = campaign.tiers[0]
    first, second = make_user(), make_user()
    order, _ = orders.place_order(campaign.id, first, tier.id, 2, "a", variant_id=red.id)
    with pytest.raises(Conflict) as caught:
        orders.place_order(campaign.id, second, tier.id, 2, "b", variant_id=red.id)
    assert caught.value.code == "sold_out"
    # Nothing of the refused order stays: not the campaign's, the tier's or the buyer's units.
    assert db.session.get(Campaign, campaign.id, populate_existing=True).reserved_units == 2
    assert db.session.get(Tier, tier.id, populate_existing=True).reserved_units == 2
    orders.place_order(campaign.id, second, tier.id, 2, "c", variant_id=blue.id)  # uncapped
    orders.place_order(campaign.id, second, tier.id, 1, "d", variant_id=red.id)
    assert db.session.get(Variant, red.id, populate_existing=True).reserved_units == 3
    orders.cancel_order(order.id, first)
    assert db.session.get(Variant, red.id, populate_existing=True).reserved_units == 1
    orders.place_order(campaign.id, first, tier.id, 2, "e", variant_id=red.id)
    assert db.session.get(Variant, red.id, populate_existing=True).reserved_units == 3


def test_concurrent_buyers_never_oversell_a_variant(app):
    with app.app_context():
        staff, campaign, product = _shop(cap=50, per_buyer=5)
        colour = variants.add_option(product, staff, "Colour")
        variants.add_value(product, staff, colour.id, "Red")
        variants.generate_variants(product, staff)
        red = _variant(product, "Red")
        variants.update_variant(product, staff, red.id, red.sku, red.label, 0, 3, True)
        ids = (campaign.id, campaign.tiers[0].id, red.id)
        buyers = [make_user().id for _ in range(8)]
    outcomes, start = [], threading.Barrier(len(buyers))

    def buy(user_id):
        with app.app_context():
            buyer = db.session.get(User, user_id)
            start.wait()
            try:
                orders.place_order(ids[0], buyer, ids[1], 1, "once", variant_id=ids[2])
                outcomes.append("ok")
            except Conflict as error:
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=buy, args=(uid,)) for uid in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok"] * 3 + ["sold_out"] * 5
    with app.app_context():
        assert db.session.get(Variant, ids[2]).reserved_units == 3
        assert db.session.get(Campaign, ids[0]).reserved_units == 3


def test_seed_from_a_closed_poll(ctx):
    staff, _campaign, product = _shop()
    poll = polls.create_poll(product, staff, "Which colour?", ["Forest", "Sky", "Ember"],
                             utcnow() + timedelta(days=1))
    with pytest.raises(Conflict):
        variants.seed_from_poll(product, staff, poll.id)  # still open
    db.session.execute(update(Poll).where(Poll.id == poll.id).values(
        ends_at=utcnow() - timedelta(minutes=1), vote_count=1284))
    db.session.commit()
    with pytest.raises(Forbidden):
        variants.seed_from_poll(product, make_user(), poll.id)
    option, added = variants.seed_from_poll(product, staff, poll.id)
    assert (option.name, added, option.source_poll_id) == ("Which colour?", 3, poll.id)
    assert [v.label for v in variants.options_of(product.id)[0].values] == ["Forest", "Sky", "Ember"]
    # Into an existing option: only the labels it lacks.
    colour = variants.add_option(product, staff, "Colour")
    variants.add_value(product, staff, colour.id, "sky")
    _, added = variants.seed_from_poll(product, staff, poll.id, colour.id)
    assert added == 2
    assert db.session.scalar(select(Variant.id)) is None  # seeding makes no variants
