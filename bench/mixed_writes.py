"""The writers of bench/mixed.py: votes, replies and pre-orders at a fixed rate, sent by a
process of their own, and the count afterwards (every success must have left its row).

The plan is made here, in the benchmark's process: each vote a (fan, idea) pair with no
vote yet (ideas drawn from the same Zipf ranking the readers use, so writes land on the
pages people read), each reply a form post by a signed-in fan with a submit token of this
run, each pre-order one unit with an Idempotency-Key of this run within the fan's
per-buyer room. `python -m bench.mixed_writes plan.json answers.json` sends them: request
i is due at start + i / rate, taken by whichever of its connections (2 per write/s, at
least 8) is free, so a slow answer does not stop the clock; at the deadline nothing new
is sent and what is in flight is finished, so every request sent has its answer or its
error. Writes/s counts the successes answered within the window.
"""

import http.client
import json
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from urllib.parse import urlencode

from sqlalchemy import bindparam, create_engine, text

from .common import ROOT
from .mixed_paths import Zipf
from .writes import OPEN, _steady_tokens

# Shares of the writes (%); what a success answers per kind.
WRITE_MIX = {"vote": 60, "reply": 25, "pre-order": 15}
SUCCESS = {"vote": (200,), "reply": (302, 303), "pre-order": (201,)}
# Writers are people who do not wait for one another: enough connections that the rate
# holds while answers take a second or two (gunicorn queues them with the readers').
MAX_CONNECTIONS = 100


class Planner:
    """Hands out fresh writes phase after phase: no vote pair, submit token or key twice."""

    def __init__(self, url, side, reply_sessions, s=1.0):
        self.url, self.side, self.sessions = url, side, reply_sessions
        self.run = uuid.uuid4().hex[:8]
        self.count = 0
        self.rng = random.Random()
        self.users = {uid: token for uid, token in side["tokens"]}
        engine = create_engine(url)
        with engine.connect() as conn:
            _steady_tokens(conn)
            ideas = [r[0] for r in conn.execute(text(
                "SELECT ideas.id FROM ideas JOIN threads ON threads.id = ideas.thread_id "
                "WHERE ideas.status IN :open AND threads.hidden = :no AND ideas.round_id IS NULL "
                "ORDER BY ideas.hot DESC, ideas.id DESC").bindparams(
                    bindparam("open", expanding=True)), {"open": list(OPEN), "no": False})]
            threads = [r[0] for r in conn.execute(text(
                "SELECT id FROM threads WHERE kind = 'discussion' AND hidden = :no AND "
                "locked = :no ORDER BY last_post_at DESC, id DESC"), {"no": False})]
            self.taken = set(map(tuple, conn.execute(text(
                "SELECT user_id, idea_id FROM votes WHERE user_id IN :users").bindparams(
                    bindparam("users", expanding=True)), {"users": list(self.users)}).all()))
            limit = conn.execute(text("SELECT per_buyer_limit FROM campaigns WHERE id = :c"),
                                 {"c": side["campaign_id"]}).scalar() or 0
            held = dict(conn.execute(text(
                "SELECT user_id, units FROM campaign_buyers WHERE campaign_id = :c"),
                {"c": side["campaign_id"]}).all())
        engine.dispose()
        self.ideas, self.threads = Zipf(ideas, s), Zipf(threads, s)
        self.room = {uid: limit - held.get(uid, 0) for uid in self.users}
        self.short = Counter()

    def plan(self, rate, seconds):
        """[request dict] for `seconds` at `rate` writes/s, with a margin (never all sent)."""
        kinds = [k for k in WRITE_MIX if k != "reply" or self.sessions]
        weights = [WRITE_MIX[k] for k in kinds]
        return [self._one(kind) for kind in
                self.rng.choices(kinds, weights, k=int(rate * seconds * 1.2) + 5)]

    def _one(self, kind):
        self.count += 1
        key = f"mixed-{self.run}-{self.count}"
        if kind == "pre-order":
            buyers = [uid for uid, left in self.room.items() if left > 0]
            if not buyers:
                self.short["pre-order"] += 1  # the campaign's room is used up: vote instead
                return self._one("vote")
            uid = self.rng.choice(buyers)
            self.room[uid] -= 1
            return {"kind": kind, "key": key, "method": "POST",
                    "path": f"/api/v1/campaigns/{self.side['campaign_id']}/preorders",
                    "body": json.dumps({"tier": self.side["tier_id"], "quantity": 1}),
                    "headers": {"Authorization": f"Bearer {self.users[uid]}",
                                "Idempotency-Key": key, "Content-Type": "application/json"}}
        if kind == "reply":
            session = self.rng.choice(self.sessions)
            thread = self.threads.draw(self.rng)
            body = urlencode({"body": f"Mixed bench reply {self.count}: 续航 still matters.",
                              "csrf_token": session["csrf"], "submit_token": key})
            return {"kind": kind, "key": key, "method": "POST", "path": f"/t/{thread}/reply",
                    "body": body, "headers": {**session["headers"], "Content-Type":
                                              "application/x-www-form-urlencoded"}}
        for _ in range(1000):
            pair = (self.rng.choice(list(self.users)), self.ideas.draw(self.rng))
            if pair not in self.taken:
                break
        else:
            raise SystemExit("No (fan, idea) pair without a vote left: reseed with bench/seed.py")
        self.taken.add(pair)
        return {"kind": "vote", "key": list(pair), "method": "PUT",
                "path": f"/api/v1/ideas/{pair[1]}/vote", "body": None,
                "headers": {"Authorization": f"Bearer {self.users[pair[0]]}"}}


def send_all(base, rate, seconds, requests, connections):
    """Request i at start + i / rate over `connections`; nothing new after `seconds`.
    Returns {"answers": [[i, status, ms, late_ms, answered at s]], "errors": [i],
    "elapsed": s}."""
    host, port = base.split("//", 1)[1].split(":")
    lock, answers, errors = threading.Lock(), [], []
    counter = iter(range(len(requests)))
    start = time.monotonic() + 0.05
    deadline = start + seconds

    def sender():
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        while True:
            with lock:
                i = next(counter, None)
            due = start + (i or 0) / rate if rate else deadline
            if i is None or due >= deadline:
                break
            time.sleep(max(0.0, due - time.monotonic()))
            late = time.monotonic() - due
            request = requests[i]
            began = time.perf_counter()
            try:
                conn.request(request["method"], request["path"], body=request["body"],
                             headers=request["headers"])
                answer = conn.getresponse()
                answer.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                with lock:
                    errors.append(i)
                continue
            with lock:
                answers.append([i, answer.status, 1000 * (time.perf_counter() - began),
                                1000 * late, time.monotonic() - start])
        conn.close()

    workers = [threading.Thread(target=sender) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {"answers": answers, "errors": errors, "elapsed": time.monotonic() - start}


def start_writer(plan_file, answers_file, python):
    """The writer process: its CPU and GIL are not the readers'."""
    return subprocess.Popen([python, "-m", "bench.mixed_writes", plan_file, answers_file],
                            cwd=ROOT)


def check(url, requests, sent, seconds):
    """Per kind: successes, rows found for them, and what is lost (a success with no row)
    or landed unanswered (a row whose request got an error). Plus sum(ideas.votes) =
    count(votes)."""
    answered = {a[0]: a[1] for a in sent["answers"]}
    in_time = {a[0] for a in sent["answers"] if a[4] <= seconds}
    asked = set(answered) | set(sent["errors"])
    engine = create_engine(url)
    with engine.connect() as conn:
        found = {}
        votes = [tuple(requests[i]["key"]) for i in asked if requests[i]["kind"] == "vote"]
        if votes:
            stored = set(map(tuple, conn.execute(text(
                "SELECT user_id, idea_id FROM votes WHERE idea_id IN :ideas").bindparams(
                    bindparam("ideas", expanding=True)),
                {"ideas": sorted({idea for _u, idea in votes})}).all()))
            found["vote"] = {pair for pair in votes if pair in stored}
        keys = [requests[i]["key"] for i in asked if requests[i]["kind"] != "vote"]
        run = keys[0].rsplit("-", 1)[0] if keys else None
        if run:
            found["reply"] = {r[0] for r in conn.execute(text(
                "SELECT submit_token FROM posts WHERE submit_token LIKE :k"), {"k": run + "-%"})}
            found["pre-order"] = {r[0] for r in conn.execute(text(
                "SELECT idempotency_key FROM orders WHERE idempotency_key LIKE :k"),
                {"k": run + "-%"})}
        counters_agree = conn.execute(text(
            "SELECT (SELECT coalesce(sum(votes), 0) FROM ideas) = (SELECT count(*) FROM votes)"
        )).scalar()
    engine.dispose()
    report = {}
    for kind in WRITE_MIX:
        mine = [i for i in asked if requests[i]["kind"] == kind]
        key = (lambda i: tuple(requests[i]["key"])) if kind == "vote" else \
            (lambda i: requests[i]["key"])
        ok = [i for i in mine if answered.get(i) in SUCCESS[kind]]
        landed = found.get(kind, set())
        report[kind] = {
            "sent": len(mine), "ok": len(ok),
            "statuses": dict(sorted(Counter(answered[i] for i in mine if i in answered).items())),
            "errors": sum(i not in answered for i in mine),
            "lost": sum(key(i) not in landed for i in ok),
            "landed_unanswered": sum(key(i) in landed for i in mine if i not in answered)}
    ms = sorted(a[2] for a in sent["answers"])
    late = sorted(a[3] for a in sent["answers"])
    ok_total = sum(r["ok"] for r in report.values())
    return {"kinds": report, "ok": ok_total, "lost": sum(r["lost"] for r in report.values()),
            "sent": len(asked), "errors": len(sent["errors"]),
            # successes answered within the window: a writer that fell behind (the server
            # answering slower than the rate) shows here, and in late_p99_ms
            "writes_per_s": round(sum(
                a[0] in in_time and a[1] in SUCCESS[requests[a[0]]["kind"]]
                for a in sent["answers"]) / seconds, 2) if seconds else 0.0,
            "p50_ms": round(ms[len(ms) // 2], 1) if ms else 0.0,
            "p99_ms": round(ms[max(0, int(len(ms) * 0.99) - 1)], 1) if ms else 0.0,
            "late_p99_ms": round(late[max(0, int(len(late) * 0.99) - 1)], 1) if late else 0.0,
            "vote_counters_agree": bool(counters_agree)}


def main(argv):
    plan_file, answers_file = argv
    with open(plan_file) as source:
        plan = json.load(source)
    connections = min(MAX_CONNECTIONS, max(8, int(2 * plan["rate"])))
    sent = send_all(plan["base"], plan["rate"], plan["seconds"], plan["requests"], connections)
    with open(answers_file, "w") as out:
        json.dump(sent, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
