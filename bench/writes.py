"""The write APIs under load, and the count afterwards: nothing answered 2xx may be missing.

Votes: PUT /api/v1/ideas/<id>/vote, each request a (fan, idea) pair that has no vote
yet, so every 200 must be one new vote row and one more on ideas.votes.
Pre-orders: POST /api/v1/campaigns/<id>/preorders for one unit with a fresh
Idempotency-Key, spread over fans within the per-buyer limit, so every 201 must be one
order row and one unit on the campaign, its tier and the buyer's holding.
"""

import itertools
import json
import random
import threading
import time
import uuid

from sqlalchemy import create_engine, text

from .loadgen import have_wrk, run_python, run_wrk_requests

OPEN = ("open", "under_review", "planned", "in_progress")
# More than 16 clients can send in a run here (~600/s for 12 s, warm-up included): wrk
# would cycle through a shorter list and repeat keys.
MIN_PREORDERS = 12_000


class Supply:
    """Requests handed out once each, to whichever client asks next."""

    def __init__(self, requests):
        self.requests, self.lock, self.next = requests, threading.Lock(), itertools.count()

    def __call__(self, _client, _n):
        with self.lock:
            i = next(self.next)
        return self.requests[i] if i < len(self.requests) else None


def _steady_tokens(conn):
    """Tokens in use recently write no last_used_at (tokens.py touches once an hour)."""
    conn.execute(text("UPDATE api_tokens SET last_used_at = :now"),
                 {"now": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())}
                 if conn.dialect.name == "sqlite" else {"now": _utcnow()})
    conn.commit()


def _utcnow():
    from community.kernel.database import utcnow

    return utcnow()


def _drive(base, requests, clients, seconds, warmup, tool="auto"):
    """Send the requests in order, a warm-up and then the timed phase. Returns the timed
    phase's Result, [(request, status)] of every answer (warm-up included), and the
    requests sent but never answered when time ran out (wrk stops mid-request; they may
    or may not have landed, so the checks look them up)."""
    if tool == "wrk" or (tool == "auto" and have_wrk()):
        first = min(3000, len(requests) // 5)
        _, warm, warm_flight = run_wrk_requests(base, requests[:first], clients, warmup)
        result, timed, flight = run_wrk_requests(base, requests[first:], clients, seconds)
        answered = [(requests[i], status) for i, status in warm.items()]
        answered += [(requests[first + i], status) for i, status in timed.items()]
        return result, answered, ([requests[i] for i in warm_flight]
                                  + [requests[first + i] for i in flight])
    supply, answered, lock = Supply(requests), [], threading.Lock()

    def on_answer(request, status, _body):
        with lock:
            answered.append((request, status))

    run_python(base, supply, clients, warmup, on_answer)  # not timed, but counted below
    return run_python(base, supply, clients, seconds, on_answer), answered, []


def votes(base, url, tokens, clients=16, seconds=10, warmup=2, max_pairs=40_000, tool="auto"):
    engine = create_engine(url)
    users = {uid: token for uid, token in tokens}
    low, high = min(users), max(users)
    with engine.connect() as conn:
        _steady_tokens(conn)
        pool = [r[0] for r in conn.execute(text(
            "SELECT ideas.id FROM ideas JOIN threads ON threads.id = ideas.thread_id "
            "WHERE ideas.status IN ('open', 'under_review', 'planned', 'in_progress') "
            "AND threads.hidden = :no AND ideas.round_id IS NULL ORDER BY ideas.id DESC "
            "LIMIT 4000"), {"no": False})]
        taken = set(conn.execute(text(
            "SELECT user_id, idea_id FROM votes WHERE user_id BETWEEN :lo AND :hi "
            "AND idea_id >= :first"), {"lo": low, "hi": high, "first": min(pool)}).all())
        before = conn.execute(text("SELECT count(*) FROM votes")).scalar()
    rng, pairs, ids = random.Random(), [], list(users)
    while len(pairs) < max_pairs:
        pair = (rng.choice(ids), rng.choice(pool))
        if pair not in taken:
            taken.add(pair)
            pairs.append(pair)
    requests = [("PUT", f"/api/v1/ideas/{idea}/vote", None,
                 {"Authorization": f"Bearer {users[uid]}"}) for uid, idea in pairs]
    pair_of = {(r[1], r[3]["Authorization"]): p for r, p in zip(requests, pairs, strict=True)}
    result, answered, in_flight = _drive(base, requests, clients, seconds, warmup, tool)
    ok = [pair_of[(r[1], r[3]["Authorization"])] for r, status in answered if status == 200]
    with engine.connect() as conn:
        after = conn.execute(text("SELECT count(*) FROM votes")).scalar()
        stored = set(conn.execute(text(
            "SELECT user_id, idea_id FROM votes WHERE user_id BETWEEN :lo AND :hi "
            "AND idea_id >= :first"), {"lo": low, "hi": high, "first": min(pool)}).all())
        counted = conn.execute(text("SELECT sum(votes) FROM ideas")).scalar()
    engine.dispose()
    landed = sum(pair_of[(r[1], r[3]["Authorization"])] in stored for r in in_flight)
    return _verdict("vote API", result, len(ok), after - before - landed, {
        "every 200 has its vote row": all(pair in stored for pair in ok),
        "sum(ideas.votes) = count(votes)": counted == after}, len(in_flight))


def preorders(base, url, tokens, campaign_id, tier_id, clients=16, seconds=10, warmup=2,
              tool="auto"):
    engine = create_engine(url)
    users = {uid: token for uid, token in tokens}
    run = uuid.uuid4().hex[:8]
    with engine.connect() as conn:
        _steady_tokens(conn)
        limit = conn.execute(text("SELECT per_buyer_limit FROM campaigns WHERE id = :c"),
                             {"c": campaign_id}).scalar()
        held = dict(conn.execute(text(
            "SELECT user_id, units FROM campaign_buyers WHERE campaign_id = :c"),
            {"c": campaign_id}).all())
        before = _store_counts(conn, campaign_id, tier_id)
    room = {uid: limit - held.get(uid, 0) for uid in users}
    requests, round_ = [], 0
    while any(v > round_ for v in room.values()) and len(requests) < 60_000:
        for uid in users:
            if room[uid] > round_:
                n = len(requests)
                requests.append(("POST", f"/api/v1/campaigns/{campaign_id}/preorders",
                                 json.dumps({"tier": tier_id, "quantity": 1}),
                                 {"Authorization": f"Bearer {users[uid]}",
                                  "Idempotency-Key": f"bench-{run}-{n}",
                                  "Content-Type": "application/json"}))
        round_ += 1
    if len(requests) < MIN_PREORDERS:
        raise SystemExit(f"Only {len(requests)} pre-orders fit under campaign {campaign_id}'s "
                         "per-buyer limit (earlier runs used the rest): reseed with "
                         "bench/seed.py.")
    result, answered, in_flight = _drive(base, requests, clients, seconds, warmup, tool)
    created = sum(status == 201 for _request, status in answered)
    with engine.connect() as conn:
        after = _store_counts(conn, campaign_id, tier_id)
        keyed = conn.execute(text("SELECT count(*) FROM orders WHERE idempotency_key LIKE :k"),
                             {"k": f"bench-{run}-%"}).scalar()
        landed = sum(conn.execute(text(
            "SELECT count(*) FROM orders WHERE idempotency_key = :k"),
            {"k": r[3]["Idempotency-Key"]}).scalar() for r in in_flight)
    engine.dispose()
    deltas = {k: after[k] - before[k] for k in before}
    checks = {f"{k} moved by the 201s": v - landed == created for k, v in deltas.items()}
    checks["orders with this run's keys"] = keyed - landed == created
    return _verdict("pre-order API", result, created, deltas["orders"] - landed, checks,
                    len(in_flight))


def _store_counts(conn, campaign_id, tier_id):
    one = lambda sql: conn.execute(text(sql), {"c": campaign_id, "t": tier_id}).scalar() or 0  # noqa: E731
    return {
        "orders": one("SELECT count(*) FROM orders WHERE campaign_id = :c"),
        "campaigns.reserved_units": one("SELECT reserved_units FROM campaigns WHERE id = :c"),
        "tiers.reserved_units": one("SELECT reserved_units FROM tiers WHERE id = :t"),
        "campaign_buyers.units": one("SELECT sum(units) FROM campaign_buyers WHERE campaign_id = :c"),
    }


def _verdict(name, result, ok, rows, checks, unanswered=0):
    """The measured phase's rate, and whether every 2xx (warm-up included) left its rows.
    `rows` leaves out what the requests never answered (cut off by the deadline) wrote."""
    return {"name": name, "result": result.as_dict(), "ok_answers": ok, "rows_written": rows,
            "unanswered": unanswered,
            "writes_per_s": round(result.statuses.get(201 if "pre-order" in name else 200, 0)
                                  / result.seconds, 1) if result.seconds else 0.0,
            "nothing_lost": ok == rows and all(checks.values()), "checks": checks}
