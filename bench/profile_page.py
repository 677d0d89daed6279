# ruff: noqa: E402  (the sys.path fix below must run before the other imports)
"""Profile one page in-process on a seeded database: where the time goes, and the plans
of its slowest SQL statements. The evidence behind a finding in RESULTS.md.

    .venv/bin/python bench/profile_page.py --scale large /ideas?page=500
    .venv/bin/python bench/profile_page.py --scale large /ideas/123 --repeat 50 --explain 3
    .venv/bin/python bench/profile_page.py --scale large '/api/v1/ideas/{n}/vote' \
        --method PUT --token --start 50000 --repeat 200      # fresh votes, write-lock time
    .venv/bin/python bench/profile_page.py --scale large '/api/v1/campaigns/{campaign}/preorders' \
        --method POST --body '{"tier": {tier}, "quantity": 1}' --token --fans --repeat 200

Signed in as the first seeded fan (as bench/http.py is). Uses pyinstrument when it is
installed in .venv (`pip install pyinstrument`), else cProfile.
"""

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import cProfile
import io
import pstats
import time
from collections import Counter

from bench.common import database_url, load_sidecar
from bench.probe import InProcess, username_of
from bench.seed_db import catch_up


def profile(probe, path, repeat):
    try:
        from pyinstrument import Profiler
    except ImportError:
        Profiler = None
    if Profiler is not None:
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(repeat):
            probe.client.get(path)
        profiler.stop()
        return profiler.output_text(unicode=True, color=False, show_all=False)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        probe.client.get(path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    return out.getvalue()


def profile_writes(probe, requests):
    """Write requests: how long each holds SQLite's write lock and the CPU each costs,
    then where time goes."""
    cpu = []
    probe.request = _timed(probe.request, cpu)  # lock_hold sends each through probe.request
    try:
        holds, statuses = probe.lock_hold(requests[: len(requests) // 2])
    finally:
        del probe.request
    cpu.sort()
    print(f"statuses {dict(Counter(statuses))}; CPU per request in-process (unprofiled, test "
          f"client included): median {cpu[len(cpu) // 2]:.2f} ms, mean {sum(cpu) / len(cpu):.2f} ms")
    if holds:
        ms = sorted(h for h, _n in holds)
        print(f"write lock held per transaction: median {ms[len(ms) // 2]:.2f} ms, "
              f"max {ms[-1]:.2f} ms, {holds[0][1]} statements inside; so at most "
              f"{1000 / ms[len(ms) // 2]:.0f} writes/s on SQLite, whatever the workers\n")
    try:
        from pyinstrument import Profiler
    except ImportError:
        return 0
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for method, path, body, headers in requests[len(requests) // 2:]:
        probe.request(path, method, body, headers)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False))
    return 0


def _timed(request, cpu_ms):
    """`request`, noting each call's CPU milliseconds in `cpu_ms` (a median of them
    hardly moves with what else a shared machine runs)."""
    def timed(*args):
        started = time.process_time()
        try:
            return request(*args)
        finally:
            cpu_ms.append(1000 * (time.process_time() - started))
    return timed


def requests_for(args, side):
    """The requests to profile: the same GET repeated, or fresh writes with a token
    ({n} in the path or body counts up, so every vote or order is a new one; {campaign}
    and {tier} are the seeded campaign's). With --fans each request is another fan's."""
    headers = {"Content-Type": "application/json"} if args.body else {}
    tokens = side["tokens"] if args.fans else side["tokens"][:1]
    found = []
    for n in range(args.repeat):
        extra = {}
        if args.token:
            extra = {"Authorization": f"Bearer {tokens[n % len(tokens)][1]}",
                     "Idempotency-Key": f"profile-{time.time_ns()}-{n}"}
        found.append((args.method, _fill(args.path, side, args.start + n),
                      _fill(args.body, side, n) if args.body else None,
                      dict(headers, **extra)))
    return found


def _fill(text, side, n):
    return (text.replace("{n}", str(n)).replace("{campaign}", str(side.get("campaign_id")))
            .replace("{tier}", str(side.get("tier_id"))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("path", help="e.g. /ideas?page=500")
    parser.add_argument("--scale", default="large")
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--explain", type=int, default=3, help="plans of the N slowest statements")
    parser.add_argument("--anonymous", action="store_true", help="not signed in")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", help='JSON body, e.g. \'{"tier": 3, "quantity": 1}\'')
    parser.add_argument("--token", action="store_true", help="send the first fan's API token")
    parser.add_argument("--start", type=int, default=1, help="first value of {n} in the path")
    parser.add_argument("--fans", action="store_true",
                        help="with --token: each request another seeded fan's token")
    args = parser.parse_args(argv)
    url = args.database_url or database_url(args.scale)
    side = load_sidecar(url)
    if side is None:
        raise SystemExit(f"No seeded database at {url}: run bench/seed.py --scale {args.scale}")
    for change in catch_up(url):
        print(f"caught up with the models: {change}")
    probe = InProcess(url, username_of(url, side["tokens"][0][0]))
    if args.anonymous:
        probe.client.post("/logout")
    if args.method != "GET":
        if args.token:  # as bench/http.py sends them: the token alone, no session cookie
            probe.client = probe.app.test_client()
        return profile_writes(probe, requests_for(args, side))
    status, queries, ms = probe.measure(args.path)
    print(f"{args.path}: HTTP {status}, {queries} SQL statements, median {ms:.1f} ms in-process\n")
    print(profile(probe, args.path, args.repeat))
    for ms, sql, params in probe.slowest(args.path, args.explain):
        print(f"--- {ms:.1f} ms\n{sql}\n{params}\nplan:\n{probe.explain(sql, params)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
