"""The points ledger and medals for seeded activity, by the app's own rules.

Each rule's query (community/engagement/rules.py) is read once for everybody, grouped
by user and allocated under the daily caps with ledger.allocate, the function
`flask engagement recompute` uses; the entries go in with bulk INSERTs and
users.points is their sum. So the ledger is what a recompute would build, without
its row-by-row ORM writes. Medals come from medals.recompute() (a few thousand rows).
"""

import time
from collections import defaultdict

from sqlalchemy import func, select, update

from community.accounts.models import User
from community.engagement import ledger, medals
from community.engagement.models import PointEntry
from community.engagement.rules import RULES


def build(w, now):
    for kind, rule in RULES.items():
        start = time.monotonic()
        by_user = defaultdict(list)
        for row in w.conn.execute(rule.query()):
            by_user[row[0]].append(tuple(row))
        entries = []
        for user_id, rows in by_user.items():
            for source, (points, board_id, day) in ledger.allocate(rule, rows).items():
                entries.append({"user_id": user_id, "kind": kind, "source": source,
                                "points": points, "day": day, "board_id": board_id,
                                "created_at": now})
        w.timings[f"ledger read {kind}"] = time.monotonic() - start
        w.insert(PointEntry, entries, len(entries), f"point_entries {kind}")
    total = select(func.coalesce(func.sum(PointEntry.points), 0)) \
        .where(PointEntry.user_id == User.id).scalar_subquery()
    w.execute("users.points", update(User).values(points=total))


def award_medals(db):
    start = time.monotonic()
    added = medals.recompute()
    db.session.commit()
    print(f"  {'user_medals':<22} {added:>10,} rows {time.monotonic() - start:7.1f}s")
    return added


def verify_with_recompute(db):
    """Run the app's own `engagement recompute` and roll back: what it would change."""
    start = time.monotonic()
    changes = ledger.recompute()
    db.session.rollback()
    return changes, time.monotonic() - start

