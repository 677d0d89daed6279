"""The roadmap: ideas in three columns, across boards or on one.

Which statuses fill which column is stated once, here. "Under review" is not on the
roadmap (the brand has not decided yet), nor are open, declined and merged ideas.
Ideas whose thread is hidden, and boards that are not listed (circles' own), never show:
the roadmap is the same for every reader, staff too, so a stored copy is shared.

Planned and in-progress cards are the most voted first; shipped ones the latest first.
A column shows at most COLUMN_LIMIT cards and says when there are more (the idea list
filtered by that status has them all).
"""

from sqlalchemy import select

from ..accounts.models import User
from ..accounts.rows import AUTHOR_COLUMNS, Author, moment
from ..forum.models import Board, Thread
from ..forum.rows import BoardRef
from ..ideas.models import Idea
from ..kernel.extensions import db
from . import links

COLUMNS = (("planned", ("planned",)), ("in_progress", ("in_progress",)),
           ("shipped", ("shipped",)))
COLUMN_LIMIT = 30


class Card:
    """An idea as a roadmap card: its votes, board, proposer and product (a ProductLink
    or None)."""

    __slots__ = ("id", "title", "status", "votes", "status_changed_at", "board", "author",
                 "product")


class Column:
    __slots__ = ("key", "statuses", "cards", "more")

    def __init__(self, key, statuses, cards, more):
        self.key, self.statuses, self.cards, self.more = key, statuses, cards, more


def visible_ideas(*columns):
    """A SELECT of ideas any visitor may see (listed board, thread not hidden), joined
    to their thread, board and proposer."""
    return (select(*columns).join(Thread, Thread.id == Idea.thread_id)
            .join(Board, Board.id == Idea.board_id).join(User, User.id == Idea.author_id)
            .where(Thread.hidden.is_(False), Thread.kind == "idea", Board.listed.is_(True)))


_CARD_COLUMNS = (Idea.id, Thread.title, Idea.status, Idea.votes, Idea.status_changed_at,
                 Board.id, Board.slug, Board.name, *AUTHOR_COLUMNS)


def _cards(statuses, board_id, limit):
    stmt = visible_ideas(*_CARD_COLUMNS).where(Idea.status.in_(statuses))
    if board_id is not None:
        stmt = stmt.where(Idea.board_id == board_id)
    order = ((Idea.status_changed_at.desc(), Idea.id.desc()) if statuses == ("shipped",)
             else (Idea.votes.desc(), Idea.id.desc()))
    cards = []
    for (idea_id, title, status, votes, changed_at, b_id, slug, name,
         *author) in db.session.execute(stmt.order_by(*order).limit(limit)):
        card = Card()
        card.id, card.title, card.status, card.votes = idea_id, title, status, votes
        card.status_changed_at, card.board = moment(changed_at), BoardRef(b_id, slug, name)
        card.author, card.product = Author(*author), None
        cards.append(card)
    return cards


def columns(board_id=None, limit=COLUMN_LIMIT):
    """The roadmap's Columns, on one board or all of them."""
    found = []
    for key, statuses in COLUMNS:
        cards = _cards(statuses, board_id, limit + 1)
        found.append(Column(key, statuses, cards[:limit], len(cards) > limit))
    products = links.products_of(card.id for column in found for card in column.cards)
    for column in found:
        for card in column.cards:
            card.product = products.get(card.id)
    return found
