# ruff: noqa: E402
"""In-process CPU and Python calls per one-call checkout and per payment webhook (issue
22), for A/B runs.

    .venv/bin/python bench/checkout_cpu.py [--runs 5] [--count 300] [--top 30]

A fresh SQLite file seeded as bench/payments.py seeds it (a few buyers), then the test
client checks out --count times per run; prints process CPU ms per checkout per run (the
minimum is the figure), then cProfile's calls per checkout over one more run. Then the
same for the signed capture webhooks of those orders (bench/payments.py's).
"""

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import cProfile
import gc
import io
import os
import pstats
import time

from bench.common import DATA, make_app
from bench.payments import SECRET, build_webhooks, seed
from bench.seed_db import fresh_database, migrate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--top", type=int, default=0, help="print the top functions")
    parser.add_argument("--sort", default="ncalls", help="pstats order for --top (cumulative...)")
    parser.add_argument("--name", default="checkout_cpu")
    args = parser.parse_args()
    url = f"sqlite:///{DATA / (args.name + '.sqlite3')}"
    fresh_database(url, reset=True)
    migrate(url)
    ids = seed(url, 4)
    app = make_app(url, PAYMENTS_DUMMY_WEBHOOK_SECRET=SECRET)
    client = app.test_client()
    token, address_id = ids["shoppers"][0]
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/campaigns/{ids['campaign']}/preorders"
    body = {"tier": ids["tier"], "quantity": 1, "address_id": address_id}
    serial, placed = iter(range(10**9)), []

    def checkout():
        answer = client.post(path, json=body,
                             headers={**headers, "Idempotency-Key": f"k{next(serial)}"})
        assert answer.status_code == 201, answer.data
        placed.append(answer.get_json()["id"])

    measure("checkout", checkout, args)
    hooks = iter(build_webhooks(url, placed))

    def webhook():
        hook_body, hook_headers = next(hooks)
        answer = client.post("/payments/webhooks/dummy", data=hook_body,
                             headers={**hook_headers, "Content-Type": "application/json"})
        assert answer.get_json() == {"received": "booked"}, answer.data

    measure("webhook", webhook, args)


def measure(what, step, args):
    """100 warm-up steps, --runs timed runs of --count, then one run under cProfile."""
    def steps(n):
        for _ in range(n):
            step()

    steps(100)  # warm: compiled statements, caches
    times = []
    for _ in range(args.runs):
        gc.collect()
        began = time.process_time()
        steps(args.count)
        times.append(1000 * (time.process_time() - began) / args.count)
    profiler = cProfile.Profile()
    profiler.enable()
    steps(args.count)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    calls = sum(v[1] for v in stats.stats.values()) / args.count  # all calls, primitive or not
    print(f"cpu ms per {what}: {' '.join(f'{t:.2f}' for t in times)}  min {min(times):.2f}"
          f"  calls per {what}: {calls:.1f}  load {os.getloadavg()[0]:.1f}")
    if args.top:
        out = io.StringIO()
        stats.stream = out
        stats.sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())

if __name__ == "__main__":
    os.environ.setdefault("FANFORGE_QUEUE_URL", "memory://")
    main()
