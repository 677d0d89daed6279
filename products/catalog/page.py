"""Everything a product page shows, in a fixed number of queries whatever its size."""

from dataclasses import dataclass, field
from datetime import datetime

from flask import render_template

from community.database import utcnow
from community.extensions import db
from community.forum.models import Thread

from . import catalog, participation, polls
from .models import Product

COCREATORS_SHOWN = 24


@dataclass
class ProductPage:
    """What every reader of the product page sees alike (the page can be shared)."""

    product: Product
    thread: Thread | None
    ideas: list
    cocreators: list
    images: list
    timeline: list


@dataclass
class PollsView:
    """The product's polls as one reader sees them: their votes, and results once closed
    (staff all along)."""

    polls: list
    results: dict = field(default_factory=dict)
    my_votes: dict = field(default_factory=dict)
    is_cocreator: bool = False
    now: datetime = field(default_factory=utcnow)

    @property
    def open_polls(self):
        return [p for p in self.polls if p.is_open(self.now)]

    @property
    def closed_polls(self):
        return [p for p in self.polls if not p.is_open(self.now)]


def product_page(product, cocreators_shown=COCREATORS_SHOWN):
    """Origin ideas with their votes, the first co-creators (the total is a column),
    images and the stage timeline."""
    return ProductPage(
        product=product,
        thread=db.session.get(Thread, product.thread_id),
        ideas=catalog.origin_ideas(product.id),
        cocreators=participation.cocreators(product.id, limit=cocreators_shown),
        images=catalog.images_of(product.id),
        timeline=catalog.timeline(product.id),
    )


def polls_view(product_id, viewer):
    """The polls with their options and the viewer's votes, or None when there are none."""
    poll_rows, now = polls.polls_of(product_id), utcnow()
    if not poll_rows:
        return None
    return PollsView(
        polls=poll_rows,
        results={p.id: polls.results(p, viewer, now) for p in poll_rows},
        my_votes=polls.my_votes(viewer, [p.id for p in poll_rows]),
        is_cocreator=participation.is_cocreator(product_id, viewer),
        now=now,
    )


def polls_holes(viewer, args):
    """The product page's polls section for whoever is looking (community/pageholes.py)."""
    out = {}
    for arg in args:
        found = polls_view(int(arg), viewer)
        if found is not None:
            out[arg] = render_template("products/catalog/_polls.html", page=found,
                                       product=db.session.get(Product, int(arg)))
    return out
