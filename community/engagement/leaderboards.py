"""This week's and this month's top contributors, per board and site-wide."""

from datetime import timedelta

from sqlalchemy import bindparam, func, literal_column, select

from ..accounts.models import User
from ..accounts.rows import AUTHOR_COLUMNS, Author
from ..kernel.reads import rows_of
from .checkin import today
from .models import PointEntry

PERIODS = ("week", "month")


def period_start(period):
    day = today()
    if period == "week":
        return day - timedelta(days=day.weekday())  # Monday
    return day.replace(day=1)


def _top(by_board):
    # Grouped by user_id + 0, not user_id: SQLite would otherwise walk every entry ever
    # made in (user_id, day) order to group without sorting, where the period's entries
    # are a small range of the day index (54 -> 33 ms on the medium seed's week).
    user_id = (PointEntry.user_id + literal_column("0")).label("user_id")
    total = func.sum(PointEntry.points).label("total")
    stmt = select(user_id, total).where(PointEntry.day >= bindparam("since"))
    if by_board:
        stmt = stmt.where(PointEntry.board_id == bindparam("board_id"))
    best = (stmt.group_by(user_id).order_by(total.desc(), user_id)
            .limit(bindparam("limit")).subquery())
    return (select(*AUTHOR_COLUMNS, best.c.total).join(best, best.c.user_id == User.id)
            .order_by(best.c.total.desc(), best.c.user_id))


_TOP = {by_board: _top(by_board) for by_board in (False, True)}


def top(period="week", board_id=None, limit=20):
    """[(author, points)] for the period, best first (the author an accounts Author)."""
    params = {"since": period_start(period), "limit": limit}
    if board_id is not None:
        params["board_id"] = board_id
    rows = rows_of(_TOP[board_id is not None], **params)  # built once, run on the driver
    return [(Author(*row[:-1]), row[-1]) for row in rows if row[-1] > 0]
