"""Boards: one per product line, created, described and ordered by admins."""

import re

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..kernel import slugs
from ..kernel.database import transaction
from ..kernel.errors import NotFound, ValidationError
from ..kernel.extensions import db
from .models import Board
from .rows import board_row, listed_boards, thread_titles

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def list_boards():
    """The boards people see and staff arrange (forum/rows.py's BoardRows): not the
    unlisted ones whose threads are read on their owner's pages (circles' board)."""
    return listed_boards()


def last_threads(boards):
    """The latest-activity thread of each board, in one query: {board_id: ThreadTitle}."""
    threads = thread_titles([b.last_thread_id for b in boards if b.last_thread_id])
    return {t.board_id: t for t in threads.values()}


def get_board(slug):
    board = db.session.scalar(select(Board).where(Board.slug == slug))
    if board is None:
        raise NotFound(_("No such board."))
    return board


def board_for_page(slug):
    """get_board for pages that show the board: a BoardRow (forum/rows.py)."""
    board = board_row(slug)
    if board is None:
        raise NotFound(_("No such board."))
    return board


def _check_board_fields(name, slug, description):
    name = (name or "").strip()
    slug = (slug or "").strip().lower()
    if not 1 <= len(name) <= 100:
        raise ValidationError(_("A board needs a name of at most 100 characters."), field="name")
    if not SLUG_RE.match(slug):
        raise ValidationError(
            _("Use lower-case letters, digits and '-' for the slug (at most 64)."), field="slug"
        )
    if len(description or "") > 2000:
        raise ValidationError(_("Keep the description under 2000 characters."), field="description")
    return name, slug, (description or "").strip()


def create_board(name, slug, description=""):
    """A board; its slug, left empty, is made from its name (community/kernel/slugs.py)."""
    return slugs.create_with_slug(slug, name, Board.slug,
                                  lambda made: _create_board(name, made, description))


def _create_board(name, slug, description):
    name, slug, description = _check_board_fields(name, slug, description)
    try:
        with transaction():
            if db.session.scalar(select(Board.id).where(Board.slug == slug)):
                raise _slug_taken()
            position = db.session.scalar(select(func.coalesce(func.max(Board.position), 0))) + 1
            board = Board(name=name, slug=slug, description=description, position=position)
            db.session.add(board)
    except IntegrityError:  # another board took the slug meanwhile
        raise _slug_taken() from None
    return board


def _slug_taken():
    return ValidationError(_("A board with that slug exists."), field="slug", code=slugs.SLUG_TAKEN)


def update_board(board, name, slug, description):
    name, slug, description = _check_board_fields(name, slug, description)
    with transaction():
        taken = db.session.scalar(select(Board.id).where(Board.slug == slug, Board.id != board.id))
        if taken:
            raise _slug_taken()
        board.name, board.slug, board.description = name, slug, description
    return board


def move_board(board, offset):
    """Swap a board with its neighbour above (offset -1) or below (+1)."""
    with transaction():
        boards = db.session.scalars(select(Board).order_by(Board.position, Board.id)).all()
        index = next(i for i, b in enumerate(boards) if b.id == board.id)
        other = index + offset
        if 0 <= other < len(boards):
            boards[index], boards[other] = boards[other], boards[index]
        for position, b in enumerate(boards, start=1):
            b.position = position


