"""Reading the catalog: products by slug, by stage, and what links them to ideas and threads.

Products are made by staff, one at a time, so the table stays small next to ideas
and posts: a count per stage is a cheap GROUP BY rather than a kept counter.
"""

from datetime import datetime
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import lazyload

from community.accounts.models import User
from community.accounts.rows import AUTHOR_COLUMNS, Author
from community.forum.models import Thread
from community.ideas.models import Idea
from community.kernel.errors import NotFound
from community.kernel.extensions import db
from community.kernel.reads import moment, rows_among, rows_of
from community.web.pagination import Page

from .models import STAGES, Product, ProductIdea, ProductImage, StageChange

# Stages the catalog's default list leaves out: a cancelled product is still at its URL
# and under its stage's filter (/products?stage=cancelled).
LEFT_OUT = ("cancelled",)


def get_product(slug):
    product = db.session.scalar(select(Product).where(Product.slug == slug))
    if product is None:
        raise NotFound(_("No such product."))
    return product


def product_for_thread(thread_id):
    """The product whose participation thread this is, or None."""
    return db.session.scalar(select(Product).where(Product.thread_id == thread_id))


# Built once and run on the driver: every idea page asks, and most ideas became nothing.
_PRODUCT_IDS_OF_IDEAS = select(ProductIdea.idea_id, ProductIdea.product_id).where(
    ProductIdea.idea_id.in_(bindparam("ids", expanding=True)))


def product_ids_for_ideas(idea_ids):
    """{idea_id: product_id} for the ideas that became a product (one statement)."""
    return dict(rows_among(_PRODUCT_IDS_OF_IDEAS, list(idea_ids))) if idea_ids else {}


def products_for_ideas(idea_ids):
    """{idea_id: product} for the ideas that became a product: one statement, and one
    more for the products when there are any."""
    product_ids = product_ids_for_ideas(idea_ids)
    if not product_ids:
        return {}
    products = {product.id: product for product in db.session.scalars(
        select(Product).where(Product.id.in_(set(product_ids.values()))))}
    return {idea_id: products[product_id] for idea_id, product_id in product_ids.items()
            if product_id in products}


def check_stage(stage):
    if stage is not None and stage not in STAGES:
        raise NotFound(_("No such stage."))
    return stage


def stage_counts():
    found = dict(db.session.execute(
        select(Product.stage, func.count()).group_by(Product.stage)).all())
    return {stage: found.get(stage, 0) for stage in STAGES}


def list_products(stage=None, page=1, per_page=20):
    """A page of products, newest first, optionally of one stage."""
    check_stage(stage)
    stmt = select(Product)
    if stage:
        stmt = stmt.where(Product.stage == stage)
    rows = db.session.scalars(
        stmt.order_by(Product.id.desc()).limit(per_page + 1).offset((page - 1) * per_page)
    ).all()
    counts = stage_counts()
    total = counts[stage] if stage else sum(counts.values())
    return Page(items=rows[:per_page], page=page, per_page=per_page,
                has_next=len(rows) > per_page, total=total)


def catalog_by_stage(per_stage=12, left_out=LEFT_OUT):
    """{stage: newest products of that stage (at most per_stage)}, in one query, without
    the stages `left_out` (the stage's own filter still lists them)."""
    rank = func.row_number().over(partition_by=Product.stage, order_by=Product.id.desc())
    ranked = select(Product.id, rank.label("rank")).where(Product.stage.not_in(left_out)).subquery()
    rows = db.session.scalars(
        select(Product).join(ranked, ranked.c.id == Product.id)
        .where(ranked.c.rank <= per_stage).order_by(Product.id.desc())
    ).all()
    groups = {stage: [] for stage in STAGES if stage not in left_out}
    for product in rows:
        groups[product.stage].append(product)
    return groups


def images_of(product_id):
    return db.session.scalars(
        select(ProductImage).where(ProductImage.product_id == product_id)
        .order_by(ProductImage.position, ProductImage.id)
    ).all()


class ShownImage(NamedTuple):
    """A product image as its page shows it: by its file's name."""
    filename: str


# Built once and run on the driver, as the page's other lists (images_of gives whole rows).
_IMAGE_NAMES = (select(ProductImage.filename)
                .where(ProductImage.product_id == bindparam("product_id"))
                .order_by(ProductImage.position, ProductImage.id))


def shown_images(product_id):
    """images_of as ShownImages, in the same order."""
    return [ShownImage(name) for (name,) in rows_of(_IMAGE_NAMES, product_id=product_id)]


def cover_images(product_ids):
    """{product_id: its first image} for a list of products, in one query."""
    if not product_ids:
        return {}
    rows = db.session.scalars(
        select(ProductImage).where(ProductImage.product_id.in_(list(product_ids)))
        .order_by(ProductImage.product_id, ProductImage.position, ProductImage.id)
    ).all()
    covers = {}
    for image in rows:
        covers.setdefault(image.product_id, image)
    return covers


# An idea staff removed (its thread hidden) is 404 on its own page: not listed here either.
_SHOWN = Thread.hidden.is_(False)


def origin_ideas(product_id):
    """The ideas the product grew from, most voted first (tags are not needed here)."""
    return db.session.scalars(
        select(Idea).join(ProductIdea, ProductIdea.idea_id == Idea.id)
        .join(Thread, Thread.id == Idea.thread_id)
        .where(ProductIdea.product_id == product_id, _SHOWN)
        .options(lazyload(Idea.tags))
        .order_by(Idea.votes.desc(), Idea.id)
    ).all()


class OriginIdea:
    """An origin idea as the product page lists it; `author` an accounts Author."""

    __slots__ = ("id", "title", "votes", "author")


# Built once and run on the driver: the product page's list (the API's origin_ideas gives
# whole ideas).
_ORIGIN_ROWS = (
    select(Idea.id, Thread.title, Idea.votes, *AUTHOR_COLUMNS)
    .join(ProductIdea, ProductIdea.idea_id == Idea.id)
    .join(Thread, Thread.id == Idea.thread_id).join(User, User.id == Idea.author_id)
    .where(ProductIdea.product_id == bindparam("product_id"), _SHOWN)
    .order_by(Idea.votes.desc(), Idea.id))


def origin_idea_rows(product_id):
    """origin_ideas as OriginIdeas: the ideas the product grew from, most voted first."""
    found = []
    for idea_id, title, votes, *author in rows_of(_ORIGIN_ROWS, product_id=product_id):
        idea = OriginIdea()
        idea.id, idea.title, idea.votes, idea.author = idea_id, title, votes, Author(*author)
        found.append(idea)
    return found


def timeline(product_id):
    return db.session.scalars(
        select(StageChange).where(StageChange.product_id == product_id).order_by(StageChange.id)
    ).all()


class TimelineStep(NamedTuple):
    """A stage change as the product page lists it; `actor` an accounts Author."""
    created_at: datetime
    from_stage: str | None
    to_stage: str
    note: str
    actor: Author


_TIMELINE = (
    select(StageChange.created_at, StageChange.from_stage, StageChange.to_stage,
           StageChange.note, *AUTHOR_COLUMNS)
    .join(User, User.id == StageChange.actor_id)
    .where(StageChange.product_id == bindparam("product_id")).order_by(StageChange.id))


def timeline_steps(product_id):
    """timeline as TimelineSteps (a statement built once, run on the driver)."""
    return [TimelineStep(moment(at), before, after, note, Author(*actor))
            for at, before, after, note, *actor in rows_of(_TIMELINE, product_id=product_id)]
