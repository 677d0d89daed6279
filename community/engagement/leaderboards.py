"""This week's and this month's top contributors, per board and site-wide."""

from datetime import timedelta

from sqlalchemy import func, select

from ..accounts.models import User
from ..kernel.extensions import db
from .checkin import today
from .models import PointEntry

PERIODS = ("week", "month")


def period_start(period):
    day = today()
    if period == "week":
        return day - timedelta(days=day.weekday())  # Monday
    return day.replace(day=1)


def top(period="week", board_id=None, limit=20):
    """[(user, points)] for the period, best first."""
    total = func.sum(PointEntry.points)
    stmt = (select(PointEntry.user_id, total).where(PointEntry.day >= period_start(period))
            .group_by(PointEntry.user_id).order_by(total.desc(), PointEntry.user_id).limit(limit))
    if board_id is not None:
        stmt = stmt.where(PointEntry.board_id == board_id)
    rows = db.session.execute(stmt).all()
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r[0] for r in rows])))}
    return [(users[user_id], points) for user_id, points in rows if points > 0]
