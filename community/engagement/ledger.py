"""The points ledger: awards follow the activity rows, caps count per day.

`settle(user, kind, day)` recomputes what the user should hold for one kind on
one community day from the activity rows and changes the ledger by the
difference. Every change (a new reply, a like withdrawn, a post hidden) settles
the days it touches, and `recompute()` settles every day: both run the same
allocation, so the online ledger and a rebuild cannot disagree.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from sqlalchemy import bindparam, delete, func, select, update

from ..accounts.models import User
from ..kernel.clock import local_to_utc, utc_to_local
from ..kernel.database import (
    dialect_name,
    insert_ignore,
    insert_ignore_if,
    sync_loaded,
    utcnow,
    write,
)
from ..kernel.extensions import db
from .models import PointEntry
from .rules import RULES, source_of


def day_of(moment: datetime):
    return utc_to_local(moment).date()


def bounds(day):
    start = local_to_utc(datetime.combine(day, time()))
    return start, start + timedelta(days=1)


def allocate(rule, rows):
    """{source: (points, board_id, day)} for rows of one user, in time order, under the cap."""
    earned = defaultdict(int)
    result = {}
    for row in rows:
        source = source_of(rule, row)
        if source in result:
            continue
        day = day_of(row[2])
        points = rule.award(row)
        if rule.daily_cap is not None and earned[day] + points > rule.daily_cap:
            continue
        earned[day] += points
        result[source] = (points, row[3], day)
    return result


def _apply(user_id, kind, expected, existing):
    """Make the ledger rows `existing` match `expected`: (change in points, rows changed)."""
    delta = changed = 0
    for source, entry in existing.items():
        if source not in expected or expected[source][0] != entry.points:
            db.session.execute(delete(PointEntry).where(PointEntry.id == entry.id))
            delta, changed = delta - entry.points, changed + 1
    for source, (points, board_id, day) in expected.items():
        if source not in existing or existing[source].points != points:
            db.session.add(PointEntry(user_id=user_id, kind=kind, source=source, points=points,
                                      day=day, board_id=board_id))
            delta, changed = delta + points, changed + 1
    db.session.flush()
    return delta, changed


_USERS = User.__table__
_LOCK_USER = (_USERS.update().where(_USERS.c.id == bindparam("user_id"))
              .values(points=_USERS.c.points))
_ADD_POINTS = (_USERS.update().where(_USERS.c.id == bindparam("user_id"))
               .values(points=_USERS.c.points + bindparam("points")).returning(_USERS.c.points))
_ENTRIES = PointEntry.__table__
# The day's points of this kind leave room for the new entry's (the cap a parameter).
_UNDER_CAP = select(func.coalesce(func.sum(_ENTRIES.c.points), 0)).where(
    _ENTRIES.c.user_id == bindparam("user_id"), _ENTRIES.c.kind == bindparam("kind"),
    _ENTRIES.c.day == bindparam("day")).scalar_subquery() + bindparam("points") <= bindparam("cap")


def lock_user(user_id):
    """Serialise awards for one user: a row lock on PostgreSQL. SQLite needs none: its
    write transactions run one at a time, and one that read before another's commit
    cannot write afterwards (SQLITE_BUSY_SNAPSHOT)."""
    if dialect_name() != "sqlite":
        db.session.execute(_LOCK_USER, {"user_id": user_id})


def award(user_id, kind, ref, board_id, moment, extra=None):
    """Award points for one new piece of activity, if the day's cap leaves room.

    New activity is the latest of its day, so this is exactly what `settle`
    would decide, without reading the day's activity again (a popular idea's
    hundredth vote of the day costs the same as its first). The INSERT checks the
    cap itself: one statement, not a SUM and then an INSERT.
    """
    rule = RULES[kind]
    row = (user_id, ref, moment, board_id, extra)
    points, day = rule.award(row), day_of(moment)
    lock_user(user_id)
    entry = {"user_id": user_id, "kind": kind, "source": source_of(rule, row), "points": points,
             "day": day, "board_id": board_id, "created_at": utcnow()}
    if rule.daily_cap is None:
        added = insert_ignore(PointEntry, **entry)
    else:
        added = insert_ignore_if(PointEntry, _UNDER_CAP, entry, cap=rule.daily_cap)
    if not added:
        return 0
    total = write(_ADD_POINTS, {"user_id": user_id, "points": points}).scalar_one()
    sync_loaded(User, user_id, points=total)
    return points


def settle(user_id, kind, day):
    """Bring one user's `kind` points for one day in line with the activity rows."""
    rule = RULES[kind]
    lock_user(user_id)
    start, end = bounds(day)
    expected = allocate(rule, db.session.execute(rule.query(user_id, start, end)).all())
    existing = {e.source: e for e in db.session.scalars(select(PointEntry).where(
        PointEntry.user_id == user_id, PointEntry.kind == kind, PointEntry.day == day))}
    delta, _changed = _apply(user_id, kind, expected, existing)
    if delta:
        db.session.execute(update(User).where(User.id == user_id)
                           .values(points=User.points + delta))
    return delta


def settle_source(user_id, kind, source):
    """Settle the day of the user's ledger row for one source (a vote withdrawn): the
    unique (user, kind, source) index finds it."""
    day = db.session.scalar(select(PointEntry.day).where(
        PointEntry.user_id == user_id, PointEntry.kind == kind, PointEntry.source == source))
    if day is not None:
        settle(user_id, kind, day)


def recompute():
    """Rebuild the whole ledger and every user's points; returns what had to change."""
    changes = {"entries": 0, "users": 0}
    for kind, rule in RULES.items():
        by_user = defaultdict(list)
        for row in db.session.execute(rule.query()).all():
            by_user[row[0]].append(row)
        existing = defaultdict(dict)
        for entry in db.session.scalars(select(PointEntry).where(PointEntry.kind == kind)):
            existing[entry.user_id][entry.source] = entry
        for user_id in by_user.keys() | existing.keys():
            expected = allocate(rule, by_user.get(user_id, []))
            changes["entries"] += _apply(user_id, kind, expected, existing.get(user_id, {}))[1]
    totals = dict(db.session.execute(select(PointEntry.user_id, func.sum(PointEntry.points))
                                     .group_by(PointEntry.user_id)).all())
    for user_id, points in db.session.execute(select(User.id, User.points)).all():
        if (totals.get(user_id) or 0) != points:
            db.session.execute(update(User).where(User.id == user_id)
                               .values(points=totals.get(user_id) or 0))
            changes["users"] += 1
    return changes
