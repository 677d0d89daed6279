"""签到: one daily check-in per community calendar day, with streaks."""

import calendar
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from ..kernel.database import insert_ignore, transaction, utcnow
from ..kernel.errors import Forbidden
from ..kernel.extensions import db
from . import ledger, medals
from .models import CheckIn


def today():
    return ledger.day_of(utcnow())


def check_in(user):
    """Check in for today: (new, streak). Twice a day, or twice at once, counts once."""
    if user is None or not user.is_authenticated:
        raise Forbidden(_("Sign in to check in."), code="sign_in_required")
    if user.is_banned:
        raise Forbidden(_("Your account is banned."), code="banned")
    day = today()
    with transaction():
        ledger.lock_user(user.id)
        previous = db.session.get(CheckIn, (user.id, day - timedelta(days=1)))
        streak = previous.streak + 1 if previous else 1
        new = insert_ignore(CheckIn, user_id=user.id, day=day, streak=streak, created_at=utcnow())
        if new:
            ledger.award(user.id, "checkin", day, None, utcnow(), streak)
            for medal in ("streak_7", "streak_30"):
                medals.check(user.id, medal)
        else:
            streak = db.session.get(CheckIn, (user.id, day)).streak
    return new, streak


# The latest check-in's (day, streak) and the best streak ever, in one statement built once.
_MINE = CheckIn.user_id == bindparam("user_id")
_STREAKS = select(
    select(CheckIn.day).where(_MINE).order_by(CheckIn.day.desc()).limit(1).scalar_subquery(),
    select(CheckIn.streak).where(_MINE).order_by(CheckIn.day.desc()).limit(1).scalar_subquery(),
    select(func.max(CheckIn.streak)).where(_MINE).scalar_subquery())


def streaks(user_id):
    """(checked in today, current streak, best streak)."""
    day = today()
    latest_day, latest_streak, best = db.session.execute(_STREAKS, {"user_id": user_id}).one()
    best = best or 0
    if latest_day is None or latest_day < day - timedelta(days=1):
        return False, 0, best
    return latest_day == day, latest_streak, best


_DAYS = select(CheckIn.day).where(_MINE, CheckIn.day >= bindparam("first"),
                                  CheckIn.day <= bindparam("last"))


def month(user_id, year=None, month_=None):
    """The month's calendar as weeks of (date or None, checked in)."""
    day = today()
    year, month_ = year or day.year, month_ or day.month
    first = date(year, month_, 1)
    last = date(year, month_, calendar.monthrange(year, month_)[1])
    done = set(db.session.scalars(_DAYS, {"user_id": user_id, "first": first, "last": last}))
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month_)
    return [[(d if d.month == month_ else None, d in done) for d in week] for week in weeks]
