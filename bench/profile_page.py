# ruff: noqa: E402  (the sys.path fix below must run before the other imports)
"""Profile one page in-process on a seeded database: where the time goes, and the plans
of its slowest SQL statements. The evidence behind a finding in RESULTS.md.

    .venv/bin/python bench/profile_page.py --scale large /ideas?page=500
    .venv/bin/python bench/profile_page.py --scale large /ideas/123 --repeat 50 --explain 3
    .venv/bin/python bench/profile_page.py --scale large '/api/v1/ideas/{n}/vote' \
        --method PUT --token --start 50000 --repeat 200      # fresh votes, write-lock time
    .venv/bin/python bench/profile_page.py --scale large '/api/v1/campaigns/{campaign}/preorders' \
        --method POST --body '{"tier": {tier}, "quantity": 1}' --token --fans --repeat 200
    .venv/bin/python bench/profile_page.py --scale medium --pages --cache-off   # issue 21 item 5
    .venv/bin/python bench/profile_page.py --scale medium --pages --cache-off --dump /tmp/before

--pages measures the main pages and API lists (signed out and signed in) as CPU ms per
request, the median of --repeat requests after two warm-ups (process time: it hardly moves
with what else the machine runs); --dump DIR also writes each page's HTML there (tokens
masked), to diff a change's pages against the old ones. --cache-off renders every request
(FANFORGE_CACHE_URL=none), as a page the cache cannot serve is rendered.

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
import os
import pstats
import re
import statistics
import time
from collections import Counter
from urllib.parse import quote

from sqlalchemy import create_engine, text

from bench.common import database_url, load_sidecar
from bench.probe import InProcess, querycount, username_of
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


def fan_speaking(url, side, lang):
    """The first seeded fan (with a token) whose pages are in `lang`."""
    engine = create_engine(url)
    with engine.connect() as conn:
        speaking = {row[0] for row in conn.execute(
            text("SELECT id FROM users WHERE locale = :lang"), {"lang": lang})}
    engine.dispose()
    return next(user for user, _token in side["tokens"] if user in speaking)


def main_pages(url, side):
    """(name, path) of the pages a rendering change is measured on: the busiest
    discussion thread and the most active poster's profile are looked up."""
    engine = create_engine(url)
    with engine.connect() as conn:
        thread = conn.execute(text(
            "SELECT id FROM threads t WHERE NOT EXISTS (SELECT 1 FROM ideas i WHERE "
            "i.thread_id = t.id) ORDER BY reply_count DESC, id LIMIT 1")).scalar()
        poster = conn.execute(text(
            "SELECT u.username FROM posts p JOIN users u ON u.id = p.author_id "
            "GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1")).scalar()
        ideas = conn.execute(text("SELECT count(*) FROM ideas")).scalar()
    engine.dispose()
    idea = side["showcase_idea"]
    return [
        ("home", "/"),
        ("hot ideas p1", "/ideas"),
        (f"hot ideas p{ideas // 25}", f"/ideas?page={ideas // 25}"),
        ("idea, 200 replies", f"/ideas/{idea}"),
        ("idea, replies p5", f"/ideas/{idea}?page=5"),
        ("discussion thread", f"/t/{thread}"),
        ("board page", f"/b/{side['board_slug']}"),
        ("board ideas", f"/b/{side['board_slug']}/ideas"),
        ("product, live campaign", f"/products/{side['product_slug']}"),
        ("profile", f"/u/{poster}"),
        ("leaderboards", "/leaderboards"),
        ("search zh", "/search?q=" + quote("手环")),
        ("search en", "/search?q=battery"),
        ("api ideas", "/api/v1/ideas"),
        ("api ideas p50", "/api/v1/ideas?page=50"),
        ("api idea", f"/api/v1/ideas/{idea}"),
        ("api products", "/api/v1/products"),
        ("api rounds", "/api/v1/rounds"),
    ]


# Per-response values (tokens) that differ between any two renders of the same page.
_TOKEN_INPUT = re.compile(rb'<input[^>]*name="(?:csrf_token|submit_token|idempotency_key)"[^>]*>')
_TOKEN_VALUE = re.compile(rb'value="[^"]*"')
_CSRF_META = re.compile(rb'(name="csrf-token" content=")[^"]*"')


def _masked(html):
    html = _TOKEN_INPUT.sub(lambda found: _TOKEN_VALUE.sub(b'value="-"', found.group()), html)
    return _CSRF_META.sub(rb'\1-"', html)


def calls_of(client, path):
    """Python calls one request makes (cProfile's total): unlike CPU time, the same
    however busy the machine is, so a change's effect shows in one run."""
    profiler = cProfile.Profile()
    profiler.runcall(client.get, path)
    return pstats.Stats(profiler).total_calls


def measure_pages(probe, pages, repeat, dump=None, lang=None):
    """Rows of (name, who, status, statements, Python calls, CPU ms median) for each page,
    signed in (the probe's client) and signed out (a client of its own)."""
    visitor = probe.app.test_client()
    if lang:
        visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    rows = []
    for name, path in pages:
        for who, client in (("visitor", visitor), ("fan", probe.client)):
            for _ in range(2):
                client.get(path)
            with querycount.counting() as statements:
                answer = client.get(path)
            cpu = []
            for _ in range(repeat):
                started = time.process_time()
                client.get(path)
                cpu.append(1000 * (time.process_time() - started))
            calls = calls_of(client, path)
            rows.append((name, who, answer.status_code, len(statements), calls,
                         statistics.median(cpu)))
            print(f"  {name:<24} {who:<8} {answer.status_code} {len(statements):>3} SQL "
                  f"{calls:>7} calls {rows[-1][-1]:7.2f} ms CPU", flush=True)
            if dump:
                slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
                Path(dump, f"{slug}.{who}.html").write_bytes(_masked(answer.get_data()))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("path", nargs="?", help="e.g. /ideas?page=500")
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
    parser.add_argument("--pages", action="store_true",
                        help="CPU ms of each main page and API list instead of one path")
    parser.add_argument("--dump", help="with --pages: write each page's HTML to this folder")
    parser.add_argument("--only", type=lambda s: s.split(","),
                        help="with --pages: the pages whose names contain one of these words")
    parser.add_argument("--lang", choices=("zh", "en"),
                        help="with --pages: visitors ask for this language and the fan signed "
                             "in is the first seeded fan who chose it")
    parser.add_argument("--cache-off", action="store_true",
                        help="no page cache (FANFORGE_CACHE_URL=none): every request renders")
    args = parser.parse_args(argv)
    if not args.pages and not args.path:
        parser.error("a path, or --pages")
    if args.cache_off:  # the bench's config does not name it, so the environment's holds
        os.environ["FANFORGE_CACHE_URL"] = "none"
    url = args.database_url or database_url(args.scale)
    side = load_sidecar(url)
    if side is None:
        raise SystemExit(f"No seeded database at {url}: run bench/seed.py --scale {args.scale}")
    for change in catch_up(url):
        print(f"caught up with the models: {change}")
    fan = side["tokens"][0][0] if not args.lang else fan_speaking(url, side, args.lang)
    probe = InProcess(url, username_of(url, fan))
    if args.pages:
        if args.dump:
            Path(args.dump).mkdir(parents=True, exist_ok=True)
        pages = [(name, path) for name, path in main_pages(url, side)
                 if not args.only or any(word in name for word in args.only)]
        measure_pages(probe, pages, args.repeat, args.dump, args.lang)
        return 0
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
