# ruff: noqa: E402  (the sys.path fix below must run before the other imports)
"""Scaling: the idea lists and an idea page at 1k, 10k and 100k ideas, side by side.

    .venv/bin/python bench/scaling.py               # seeds the missing sizes first
    .venv/bin/python bench/scaling.py --rounds 100 --sizes 1000,100000

Each size is its own seeded database (seed.py --scale large --ideas N: 10 votes and 3
replies per idea, so 1M votes at the top; people, boards and products stay the same)
served by its own gunicorn. One client walks the pages in rounds and, within a round,
asks every size in a shuffled order, so the machine's noise falls on all sizes alike;
the figure is each page's median latency (p50) per size, and the growth from the
smallest size to the largest. Target: a list page at 100k within 1.2x of 1k.

Each size is served twice: as deployed (pages stored by community/web/pagecache/serving.py, so a
repeated request is a hit and costs the same at any size) and with the page cache off
(FANFORGE_CACHE_URL=none, every request rendered: the rows "page cache off"), which is
what the first reader after every write pays and what shows the queries' growth.
"""

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import http.client
import json
import random
import statistics
import subprocess
import time

from bench.common import (
    DATA,
    PYTHON,
    database_url,
    load_sidecar,
    server_env,
    sibling_url,
    warm_file_cache,
)
from bench.probe import signed_in_headers, username_of
from bench.seed import SCALES
from bench.seed_db import catch_up, create_database_if_missing
from bench.servers import app_server

MAX_GROWTH = 1.2
LISTS = ("hot ideas", "top ideas", "new ideas", "board ideas (hot)")
# How each size is served: its label suffix and the server's environment on top.
MODES = {"": {}, ", page cache off": {"FANFORGE_CACHE_URL": "none"}}


def url_for_size(base_url, ideas):
    """large itself for 100k ideas; large_i<N> beside it for the others."""
    return base_url if ideas == SCALES["large"]["ideas"] else sibling_url(base_url, f"i{ideas}")


def ensure_seeded(url, ideas):
    if load_sidecar(url):
        return
    create_database_if_missing(url)
    print(f"Seeding {ideas:,} ideas into {url} ...", flush=True)
    subprocess.run([PYTHON, str(_BENCH / "seed.py"), "--scale", "large", "--ideas", str(ideas),
                    "--database-url", url, "--quiet", "--no-search", "--reset"], check=True)


def pages(side):
    return [("hot ideas", "/ideas?sort=hot"), ("top ideas", "/ideas?sort=top"),
            ("new ideas", "/ideas?sort=new"), ("board ideas (hot)", f"/b/{side['board_slug']}/ideas"),
            ("idea page", f"/ideas/{side['showcase_idea']}")]


def get(base, path, headers):
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    start = time.perf_counter()
    conn.request("GET", path, headers=headers)
    answer = conn.getresponse()
    answer.read()
    elapsed = time.perf_counter() - start
    conn.close()
    if answer.status != 200:
        raise RuntimeError(f"{base}{path} answered {answer.status}")
    return elapsed


def measure(servers, rounds, who):
    """{page: {ideas: p50 ms}} over `rounds` rounds, sizes shuffled in each."""
    samples = {}
    names = [name for name, _path in pages(next(iter(servers.values()))["side"])]
    for _ in range(rounds):
        for index, name in enumerate(names):
            sizes = list(servers)
            random.shuffle(sizes)
            for ideas in sizes:
                server = servers[ideas]
                path = pages(server["side"])[index][1]
                headers = server["headers"] if who == "signed in" else {}
                samples.setdefault(name, {}).setdefault(ideas, []).append(
                    get(server["base"], path, headers))
    return {name: {ideas: round(1000 * statistics.median(times), 2)
                   for ideas, times in by_size.items()} for name, by_size in samples.items()}


def table(results):
    sizes = sorted(results["sizes"])
    lines = ["| page | who | " + " | ".join(f"{s:,} ideas p50 ms" for s in sizes) +
             f" | {sizes[-1]:,} / {sizes[0]:,} | target |",
             "|---|---|" + "---:|" * (len(sizes) + 1) + "---|"]
    for who, by_page in results["p50"].items():
        for name, by_size in by_page.items():
            growth = by_size[str(sizes[-1])] / by_size[str(sizes[0])]
            verdict = ("met" if growth <= MAX_GROWTH else "MISSED") if name in LISTS else "(info)"
            lines.append(f"| {name} | {who} | " + " | ".join(
                f"{by_size[str(s)]:.1f}" for s in sizes) + f" | {growth:.2f}x | {verdict} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--rounds", type=int, default=60, help="requests per page and size")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per size")
    parser.add_argument("--database-url", help="the 100k database (default: seed.py's large)")
    parser.add_argument("--who", default="anonymous,signed in", type=lambda s: s.split(","))
    args = parser.parse_args(argv)
    base_url = args.database_url or database_url("large")
    servers = {mode: {} for mode in MODES}

    def everyone():
        return [entry for by_size in servers.values() for entry in by_size.values()]

    try:
        for ideas in args.sizes:
            url = url_for_size(base_url, ideas)
            ensure_seeded(url, ideas)
            side = load_sidecar(url)
            for change in catch_up(url):
                print(f"  {ideas:,} ideas: caught up with the models: {change}")
            warm_file_cache(url)
            for mode, extra in MODES.items():
                server = app_server(dict(server_env(url), **extra), args.workers,
                                    name=f"scaling-{ideas}{'-rendered' if extra else ''}")
                servers[mode][ideas] = {"server": server, "side": side, "url": url}
                server.start("/login")
        for entry in everyone():
            entry["base"] = entry["server"].base
            entry["headers"] = signed_in_headers(entry["base"], username_of(
                entry["url"], entry["side"]["tokens"][0][0]))
        for entry in everyone():  # warm every worker's caches
            for _name, path in pages(entry["side"]):
                for _ in range(3 * args.workers):
                    get(entry["base"], path, entry["headers"])
        print(f"Scaling: {args.rounds} rounds over sizes {args.sizes}", flush=True)
        results = {"sizes": args.sizes, "rounds": args.rounds, "p50": {
            who + mode: {n: {str(k): v for k, v in s.items()}
                         for n, s in measure(by_size, args.rounds, who).items()}
            for mode, by_size in servers.items() for who in args.who}}
    finally:
        for entry in everyone():
            entry["server"].stop()
    DATA.mkdir(exist_ok=True)
    (DATA / "scaling.json").write_text(json.dumps(results, indent=1))
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
