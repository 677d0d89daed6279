"""Everything a product page shows, in a fixed number of queries whatever its size."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from flask import render_template
from sqlalchemy import bindparam, exists, literal, select, union_all

from community.forum.models import Thread
from community.kernel.compiled import rows_of
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.web import pagecache

from . import catalog, participation, polls
from .models import CoCreator, Poll, PollVote, Product
from .options import OptionValue, ProductOption

COCREATORS_SHOWN = 24


class ThreadFigures(NamedTuple):
    """What the product page shows of its participation thread."""
    reply_count: int


_THREAD_FIGURES = select(Thread.reply_count).where(Thread.id == bindparam("thread_id"))


def thread_figures(thread_id):
    rows = rows_of(_THREAD_FIGURES, thread_id=thread_id) if thread_id is not None else ()
    return ThreadFigures(*rows[0]) if rows else None


class ValueLabel(NamedTuple):
    label: str


class PollVotes(NamedTuple):
    vote_count: int


class ShownOption:
    """A product option as its page lists it (_options.html): `values` its choice values'
    labels, `source_poll` the poll they came from (its votes) or None."""

    __slots__ = ("name", "kind", "max_length", "required", "source_poll_id", "source_poll",
                 "values")

    def __init__(self, name, kind, max_length, required, source_poll_id, poll_votes):
        self.name, self.kind, self.max_length, self.required = name, kind, max_length, required
        self.source_poll_id = source_poll_id
        self.source_poll = PollVotes(poll_votes) if source_poll_id is not None else None
        self.values = []


# The options with their values and source polls' votes in one statement built once
# (variants.options_of loads them through the ORM for staff's pages and the API).
_OPTIONS = (
    select(ProductOption.id, ProductOption.name, ProductOption.kind, ProductOption.max_length,
           ProductOption.required, ProductOption.source_poll_id, Poll.vote_count,
           OptionValue.label)
    .outerjoin(Poll, Poll.id == ProductOption.source_poll_id)
    .outerjoin(OptionValue, OptionValue.option_id == ProductOption.id)
    .where(ProductOption.product_id == bindparam("product_id"))
    .order_by(ProductOption.position, ProductOption.id, OptionValue.position, OptionValue.id))


def shown_options(product_id):
    found = {}
    for option_id, *option, label in rows_of(_OPTIONS, product_id=product_id):
        shown = found.get(option_id) or found.setdefault(option_id, ShownOption(*option))
        if label is not None:
            shown.values.append(ValueLabel(label))
    return list(found.values())


@dataclass
class ProductPage:
    """What every reader of the product page sees alike (the page can be shared)."""

    product: Product
    thread: ThreadFigures | None
    ideas: list
    cocreators: list
    images: list
    timeline: list
    options: list = field(default_factory=list)  # with their values and source polls


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
    images and the stage timeline, each read as rows by a statement built once."""
    return ProductPage(
        product=product,
        thread=thread_figures(product.thread_id),
        ideas=catalog.origin_idea_rows(product.id),
        cocreators=participation.cocreators(product.id, limit=cocreators_shown),
        images=catalog.shown_images(product.id),
        timeline=catalog.timeline_steps(product.id),
        options=shown_options(product.id),
    )


def polls_view(product_id, reader):
    """The polls with their options as `reader` (VoterFacts) sees them, or None when there
    are none."""
    poll_rows, now = polls.shown_polls(product_id), utcnow()
    if not poll_rows:
        return None
    return PollsView(
        polls=poll_rows,
        results={p.id: polls.results(p, reader, now) for p in poll_rows},
        my_votes=dict(reader.votes),
        is_cocreator=reader.cocreator,
        now=now,
    )


class VoterFacts(NamedTuple):
    """All the polls show of their reader, and a stand-in for them while the polls are
    drawn: staff see results all along (polls.results asks is_authenticated and is_staff)."""
    is_authenticated: bool = False
    is_staff: bool = False
    cocreator: bool = False
    votes: tuple = ()  # ((poll id, option id), ...) in order


_PRODUCT, _USER = bindparam("product_id"), bindparam("user_id")
# All the polls show of their reader, in one statement built once: a row (0, 0) when they
# co-create the product (no poll has id 0), then (poll, option) for each of their votes.
_VOTER_FACTS = union_all(
    select(literal(0), literal(0)).where(exists().where(
        CoCreator.product_id == _PRODUCT, CoCreator.user_id == _USER)),
    select(PollVote.poll_id, PollVote.option_id).join(Poll, Poll.id == PollVote.poll_id)
    .where(Poll.product_id == _PRODUCT, PollVote.user_id == _USER),
)


def voter_facts(product_id, viewer):
    """The reader's VoterFacts for the product's polls, in one statement."""
    if viewer is None or not viewer.is_authenticated:
        return VoterFacts()
    rows = rows_of(_VOTER_FACTS, product_id=product_id, user_id=viewer.id)
    return VoterFacts(True, bool(viewer.is_staff), (0, 0) in rows,
                      tuple(sorted(tuple(row) for row in rows if row[0])))


def polls_holes(viewer, args):
    """The product page's polls section for whoever is looking (community/web/pagecache/holes.py),
    drawn once for every reader with the same votes and standing (pagecache.remember)."""
    out = {}
    for arg in args:
        def draw(reader, product_id=int(arg)):
            found = polls_view(product_id, reader)
            if found is None:
                return ""
            return render_template("products/catalog/_polls.html", page=found,
                                   product=db.session.get(Product, product_id))

        out[arg] = pagecache.remember("product_polls", arg, voter_facts(int(arg), viewer), draw)
    return out
