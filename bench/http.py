# ruff: noqa: E402  (the sys.path fix below must run before the other imports)
"""HTTP benchmark: the app under gunicorn beside a control app, one table of figures.

    .venv/bin/python bench/http.py --scale large          # after bench/seed.py --scale large
    .venv/bin/python bench/http.py --scale small --seconds 3 --only home,board

Both servers run 4 sync workers on 127.0.0.1. Every endpoint gets a 2 s warm-up, then
a closed loop of 16 clients for 10 s (wrk when installed, else a Python client). The
control app (a bare Flask route rendering a small template) runs for 5 s before the
first page and after each one: a page's ratio divides by the control's req/s just
before and after it. Each page is fetched signed out (a visitor: the page cache serves
it) and signed in as a fan (the fans' stored copy, with the fan's own holes filled per
response; bench/scaling.py measures pages rendered every time). The write APIs run
last (wrk, or the Python client; every answer counted) and are checked against the
database. Workers' RSS is read from /proc at the end. Results: printed, and saved as
JSON in bench/.data/http-<scale>.json for run_all.py.
"""

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import itertools
import json
import os
import shutil
import time
import urllib.request
from urllib.parse import quote

from bench import writes
from bench.common import (
    DATA,
    database_url,
    load_sidecar,
    page_cache_dir,
    search_dir,
    server_env,
    warm_file_cache,
)
from bench.loadgen import have_wrk, run_get
from bench.probe import InProcess, signed_in_headers, username_of
from bench.seed_db import catch_up
from bench.servers import app_server, control_server

MIN_RATIO, MAX_P99_MS, MIN_WRITES, MAX_RSS_MB = 0.30, 100.0, 500.0, 200.0


def pages(side):
    """(name, path, needs search) of every page measured."""
    return [
        ("home", "/", False),
        ("board page", f"/b/{side['board_slug']}", False),
        ("hot ideas p1", "/ideas", False),
        ("hot ideas p500", "/ideas?page=500", False),
        ("idea, 200 replies", f"/ideas/{side['showcase_idea']}", False),
        ("product, live campaign", f"/products/{side['product_slug']}", False),
        ("search zh 续航", "/search?q=" + quote("续航"), True),
        ("search en battery", "/search?q=battery", True),
    ]


def search_ready(url, probe):
    has_route = any(rule.rule == "/search" for rule in probe.app.url_map.iter_rules())
    index = Path(search_dir(url))
    return has_route and index.is_dir() and any(index.iterdir())


def measure_pages(args, url, side, fan):
    """Each page bracketed by the control: its ratio divides by the control's req/s
    measured just before and just after it, so a busy minute weighs on both alike."""
    rows, probe = [], InProcess(url, fan)
    searchable = search_ready(url, probe)
    tool = "python" if args.python_client else "auto"
    shutil.rmtree(page_cache_dir(url), ignore_errors=True)  # pages of an earlier seed
    warm_file_cache(url)
    with control_server(args.workers) as control, app_server(server_env(url), args.workers) as app:
        control.start()
        app.start("/login")
        fan_headers = signed_in_headers(app.base, fan)

        def control_run():
            return timed(control, lambda: run_get(control.base, "/", args.clients,
                                                  args.seconds / 2, tool=tool))

        controls = [control_run()]
        for (page, path, needs_search), who in itertools.product(pages(side), args.who):
            if args.only and page.split(",")[0] not in args.only and page not in args.only:
                continue
            name = f"{page} · {who}"
            if needs_search and not searchable:
                rows.append({"name": name, "path": path, "skipped": "no search index"})
                continue
            if who == "fan":
                status, queries, in_process_ms = probe.measure(path)
                headers = fan_headers
            else:  # wrk keeps no cookies: every request is a first visit
                status, queries, in_process_ms = visitor_probe(app.base, path)
                headers = {}
            run_get(app.base, path, args.clients, 2, headers, tool)  # warm-up
            result = timed(app, lambda p=path, h=headers: run_get(
                app.base, p, args.clients, args.seconds, h, tool))
            controls.append(control_run())
            bracket = (controls[-2].rps + controls[-1].rps) / 2
            rows.append({"name": name, "path": path, "status": status, "queries": queries,
                         "in_process_ms": round(in_process_ms, 2), **result.as_dict(),
                         "control_rps": round(bracket, 1), "cpu_ms": result.cpu_ms,
                         "cpu_ratio": round((controls[-2].cpu_ms + controls[-1].cpu_ms) / 2
                                            / result.cpu_ms, 3) if result.cpu_ms else 0.0,
                         "ratio": round(result.rps / bracket, 3) if bracket else 0.0})
            print(f"  {name:<24} {result.rps:8.1f} req/s  p50 {result.p50_ms:7.1f} ms  "
                  f"p99 {result.p99_ms:7.1f} ms  {queries} queries  control {bracket:.0f} req/s",
                  flush=True)
        write_rows = [] if args.skip_writes else run_writes(args, url, side, app.base)
        rss = app.worker_rss_mb()
        control_rss = control.worker_rss_mb()
    rates = [c.rps for c in controls]
    return {"control": {"runs": [c.as_dict() for c in controls],
                        "rps": round(sum(rates) / len(rates), 1),
                        "p50_ms": round(sorted(c.p50_ms for c in controls)[len(controls) // 2], 2),
                        "p99_ms": round(max(c.p99_ms for c in controls), 2),
                        "min_rps": round(min(rates), 1), "max_rps": round(max(rates), 1),
                        "cpu_ms": round(sum(c.cpu_ms for c in controls) / len(controls), 2)},
            "pages": rows, "writes": write_rows, "rss_mb": rss, "control_rss_mb": control_rss,
            "tool": "wrk" if have_wrk() and not args.python_client else "python"}


def visitor_probe(base, path):
    """(status, "cached" or "rendered", ms) of one signed-out request after a first one:
    whether the page cache serves the page (it has no SQL then)."""
    for _ in range(2):
        start = time.perf_counter()
        with urllib.request.urlopen(base + path) as answer:
            answer.read()
            status, cache = answer.status, answer.headers.get("X-Page-Cache", "rendered")
    return status, "cached" if cache == "hit" else "rendered", (time.perf_counter() - start) * 1e3


def timed(server, run):
    """Run a load and note the server's CPU milliseconds per answered request on it."""
    before = server.cpu_seconds()
    result = run()
    used = server.cpu_seconds() - before
    result.cpu_ms = round(1000 * used / result.requests, 2) if result.requests else 0.0
    return result


def run_writes(args, url, side, base):
    found = []
    tool = "python" if args.python_client else "auto"
    for name, bench in (("vote", lambda: writes.votes(base, url, side["tokens"], args.clients,
                                                      args.seconds, tool=tool)),
                        ("pre-order", lambda: writes.preorders(
                            base, url, side["tokens"], side["campaign_id"], side["tier_id"],
                            args.clients, args.seconds, tool=tool))):
        if args.only and name not in args.only:
            continue
        # This sandbox keeps only ~2 GB of files cached: the page runs before pushed
        # part of the database out again (a write on an uncached ledger page is 5x).
        warm_file_cache(url)
        found.append(bench())
        row = found[-1]
        print(f"  {row['name']:<24} {row['writes_per_s']:8.1f} writes/s  "
              f"p50 {row['result']['p50_ms']:7.1f} ms  p99 {row['result']['p99_ms']:7.1f} ms  "
              f"2xx {row['ok_answers']}, rows {row['rows_written']}, "
              f"{'nothing lost' if row['nothing_lost'] else 'MISMATCH ' + str(row['checks'])}",
              flush=True)
    return found


def table(results):
    """The Markdown table of one run, with the targets each row meets."""
    control = results["control"]
    lines = ["| endpoint | req/s | p50 ms | p99 ms | vs control | CPU ms/req | CPU vs control | "
             "queries | targets |", "|---|---:|---:|---:|---:|---:|---:|---:|---|",
             f"| control (bare Flask + template) | {control['rps']:.0f} | "
             f"{control['p50_ms']:.1f} | {control['p99_ms']:.1f} | 1.00 | "
             f"{control['cpu_ms']:.2f} | 1.00 | 0 | "
             f"{len(control['runs'])} runs between the pages: {control['min_rps']:.0f} to "
             f"{control['max_rps']:.0f} req/s |"]
    for row in results["pages"]:
        if "skipped" in row:
            lines.append(f"| {row['name']} | skipped: {row['skipped']} | | | | | | | |")
            continue
        misses = []
        if row["ratio"] < MIN_RATIO:
            misses.append(f"ratio < {MIN_RATIO:.2f}")
        if row["p99_ms"] >= MAX_P99_MS:
            misses.append(f"p99 ≥ {MAX_P99_MS:.0f} ms")
        if not row["requests"]:
            misses.append("no request completed")
        if row["non_2xx"] or row["errors"] or row["status"] != 200:
            misses.append(f"{row['non_2xx']} non-2xx, {row['errors']} errors")
        lines.append(f"| {row['name']} | {row['rps']:.0f} | {row['p50_ms']:.1f} | "
                     f"{row['p99_ms']:.1f} | {row['ratio']:.2f} | {row['cpu_ms']:.2f} | "
                     f"{row['cpu_ratio']:.2f} | {row['queries']} | "
                     f"{'met' if not misses else 'MISSED: ' + '; '.join(misses)} |")
    for row in results["writes"]:
        rate, result = row["writes_per_s"], row["result"]
        misses = ([f"< {MIN_WRITES:.0f} writes/s"] if rate < MIN_WRITES else []) + \
            ([] if row["nothing_lost"] else ["rows != 2xx answers"])
        lines.append(f"| {row['name']} (writes/s) | {rate:.0f} | {result['p50_ms']:.1f} | "
                     f"{result['p99_ms']:.1f} | | | | | {'met' if not misses else 'MISSED: ' + '; '.join(misses)}"
                     f" ({row['ok_answers']} 2xx = {row['rows_written']} rows; statuses "
                     f"{result['statuses']}) |")
    rss = results["rss_mb"]
    worst = max(rss.values()) if rss else 0
    lines.append(f"\nWorker RSS after the run: {', '.join(f'{v:.0f}' for v in rss.values())} MB "
                 f"(max {worst:.0f} MB: {'met' if worst < MAX_RSS_MB else 'MISSED'} < "
                 f"{MAX_RSS_MB:.0f} MB); control workers "
                 f"{', '.join(f'{v:.0f}' for v in results['control_rss_mb'].values())} MB. "
                 f"Load tool: {results['tool']}.")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--scale", default="large", help="the seeded database (default large)")
    parser.add_argument("--database-url", help="default: as bench/seed.py chose for --scale")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--only", type=lambda s: s.split(","), help="comma-separated names "
                        "(home, board page, hot ideas p1, ..., vote, pre-order)")
    parser.add_argument("--who", type=lambda s: s.split(","), default=["visitor", "fan"],
                        help="signed out (visitor), signed in (fan), or both (the default)")
    parser.add_argument("--skip-writes", action="store_true")
    parser.add_argument("--python-client", action="store_true", help="no wrk even if installed")
    args = parser.parse_args(argv)
    url = args.database_url or database_url(args.scale)
    side = load_sidecar(url)
    if side is None:
        raise SystemExit(f"No seeded database at {url}: run bench/seed.py --scale {args.scale}")
    for change in catch_up(url):
        print(f"  caught up with the models: {change}")
    fan = username_of(url, side["tokens"][0][0])
    print(f"HTTP benchmark on {url} ({side['scale']}), {args.clients} clients x "
          f"{args.seconds:g}s, {args.workers} workers, signed in as {fan}")
    results = measure_pages(args, url, side, fan)
    results.update(scale=side["scale"], url=url, clients=args.clients, seconds=args.seconds,
                   workers=args.workers, pid=os.getpid())
    DATA.mkdir(exist_ok=True)
    (DATA / f"http-{side['scale']}.json").write_text(json.dumps(results, indent=1,
                                                               ensure_ascii=False))
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
