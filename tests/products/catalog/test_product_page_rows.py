"""The product page reads its lists as rows by statements built once (products/catalog/
page.py, catalog.py, polls.py, variants.for_buyers): each gives what the ORM's objects
give the staff pages and the API, on both databases."""

from datetime import timedelta

from helpers import make_campaign, make_user
from sqlalchemy import select, update

from community.kernel.database import utcnow
from community.kernel.extensions import db
from products.catalog import catalog, page, polls, stages, variants
from products.catalog.models import Poll, PollOption, ProductImage
from products.catalog.options import Variant


def _world():
    staff = make_user("boss", role="staff")
    product = make_campaign(staff=staff).product
    colour = variants.add_option(product, staff, "Colour")
    for label in ("Moss", "Slate", "Amber"):
        variants.add_value(product, staff, colour.id, label)
    variants.add_option(product, staff, "Engraving", kind="text", max_length=8, required=True)
    variants.add_option(product, staff, "Note", kind="text", max_length=20)
    variants.generate_variants(product, staff)
    variants.add_option(product, staff, "Size")  # a choice with no values yet
    now = utcnow()
    closed = polls.create_poll(product, staff, "Strap colour?", ["Moss", "Slate"],
                               now + timedelta(days=1))
    polls.create_poll(product, staff, "Box?", ["Paper", "Tin", "None"], now + timedelta(days=2))
    db.session.execute(update(Poll).where(Poll.id == closed.id)
                       .values(ends_at=now - timedelta(hours=1), vote_count=7,
                               decision="Moss it is."))
    db.session.execute(update(PollOption).where(PollOption.poll_id == closed.id)
                       .values(votes=PollOption.position + 3))
    capped = db.session.scalars(
        select(Variant).where(Variant.product_id == product.id)).first()
    capped.cap_units, capped.reserved_units = 2, 2
    db.session.add_all([ProductImage(product_id=product.id, filename=f"img{n}.png",
                                     content_type="image/png", size=10, position=2 - n)
                        for n in range(3)])
    db.session.commit()
    variants.seed_from_poll(product, staff, closed.id)  # an option crediting its poll
    stages.set_stage(product, staff, "co_creation", note="Off we go")
    db.session.expire_all()
    return product


def test_the_product_pages_rows_hold_what_the_orm_holds(ctx):
    product = _world()
    orm = variants.options_of(product.id)
    shown = page.shown_options(product.id)
    assert [(o.name, o.kind, o.max_length, bool(o.required), o.source_poll_id,
             o.source_poll and o.source_poll.vote_count, [v.label for v in o.values])
            for o in orm] == [
        (o.name, o.kind, o.max_length, bool(o.required), o.source_poll_id,
         o.source_poll and o.source_poll.vote_count, [v.label for v in o.values])
        for o in shown]
    assert [o.name for o in shown] == ["Colour", "Engraving", "Note", "Size", "Strap colour?"]
    assert shown[-1].source_poll.vote_count == 7

    now = utcnow()
    orm, shown = polls.polls_of(product.id), polls.shown_polls(product.id)
    assert [(p.id, p.question, p.ends_at, p.vote_count, p.decision, p.is_open(now),
             [(o.id, o.label, o.votes) for o in p.options]) for p in orm] == [
        (p.id, p.question, p.ends_at, p.vote_count, p.decision, p.is_open(now),
         list(p.options)) for p in shown]
    assert [polls.results(p, None, now) is None for p in shown] == [True, False]

    texts, on_sale = variants.for_buyers(product.id)
    assert [(o.id, o.name, o.required, o.max_length) for o in texts] == [
        (o.id, o.name, o.required, o.max_length) for o in variants.options_of(product.id)
        if o.kind == "text"]
    orm = variants.variants_of(product.id, active_only=True)
    assert [(v.id, v.label, v.price_delta_cents, v.units_left, v.sold_out) for v in orm] == [
        (v.id, v.label, v.price_delta_cents, v.units_left, v.sold_out) for v in on_sale]
    assert sum(v.sold_out for v in on_sale) == 1 and len(on_sale) == 3

    assert [i.filename for i in catalog.images_of(product.id)] == [
        i.filename for i in catalog.shown_images(product.id)] == ["img2.png", "img1.png", "img0.png"]
    orm, shown = catalog.timeline(product.id), catalog.timeline_steps(product.id)
    assert len(shown) >= 2 and [
        (c.created_at, c.from_stage, c.to_stage, c.note, c.actor.username) for c in orm] == [
        (c.created_at, c.from_stage, c.to_stage, c.note, c.actor.username) for c in shown]
    assert page.thread_figures(product.thread_id).reply_count == 0
    assert page.thread_figures(None) is None
