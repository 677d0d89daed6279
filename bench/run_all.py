# ruff: noqa: E402  (the sys.path fix below must run before the other imports)
"""Run the whole benchmark kit and record it in bench/RESULTS.md (`make bench`).

    .venv/bin/python bench/run_all.py                   # seed large if needed, http, scaling
    .venv/bin/python bench/run_all.py --scale small --seconds 3 --skip-scaling   # a quick look
    .venv/bin/python bench/run_all.py --reseed --note "after the bell index"
    .venv/bin/python bench/run_all.py --scale medium --mixed --skip-http --skip-scaling

Seeds the database when it has no sidecar (or with --reseed), builds the search index
when the app has `flask search` and the index is missing, runs bench/http.py and
bench/scaling.py (and with --mixed bench/mixed.py, issue 21's mixed workload: it
changes the seed, so it runs last), and puts a new section at the top of
bench/RESULTS.md with the date, the machine (cores, memory, load), the commit, and the tables.
"""

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import json
import shutil
import subprocess
import time
from datetime import UTC, datetime

from bench.common import (
    BENCH,
    DATA,
    PYTHON,
    database_url,
    is_sqlite,
    load_sidecar,
    machine,
    search_dir,
)

RESULTS = BENCH / "RESULTS.md"
HEADER = """# Fanforge benchmark results

Written by `make bench` (bench/run_all.py); newest run first. Targets: every page at
least 30% of the control's req/s with p99 under 100 ms (16 clients, SQLite); a list
page at 100k ideas within 1.2x of 1k; the vote and pre-order APIs at 500 writes/s with
4 workers and nothing lost; worker RSS under 200 MB. Ratios, because the machine is
shared and its absolute speed varies from minute to minute.
"""


def step(title, command):
    print(f"\n== {title}: {' '.join(command[1:])}", flush=True)
    start = time.monotonic()
    done = subprocess.run(command)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{title} failed ({done.returncode})")
    return time.monotonic() - start


def search_answers(url):
    """Whether /search answers 200 with the index as it is. An index built before a
    change to the search schema cannot be opened by the new code (whoosh pickles its
    schema), and every search then fails with a 500."""
    from bench.common import make_app

    app = make_app(url, SEARCH_DRAIN_AFTER_REQUEST=False)
    if not any(rule.rule == "/search" for rule in app.url_map.iter_rules()):
        return True
    return app.test_client().get("/search?q=battery").status_code == 200


def ensure_search(url):
    from bench.seed import search_rebuild

    index = Path(search_dir(url))
    if index.is_dir() and any(index.iterdir()):
        if search_answers(url):
            return None
        print("\n== the search index does not open with the current code: rebuilding it",
              flush=True)
        shutil.rmtree(index)
    print("\n== search rebuild", flush=True)
    return search_rebuild(url)


def seed_section(side):
    check = side.get("check", {})
    wrong = {k: v for k, v in check.items() if v}
    rows = side.get("rows", {})
    big = ", ".join(f"{k} {v:,}" for k, v in sorted(rows.items(), key=lambda x: -x[1])[:8])
    search = side.get("search_seconds")
    search = f"{search:.0f} s" if search else "not run"
    verdict = wrong or "every counter matches its rows"
    return (f"Seed `{side['scale']}`: {side['seconds']:.0f} s for the rows (migrations "
            f"{side.get('migrate_seconds', 0):.0f} s included), search rebuild {search}; "
            f"largest tables: {big}. Consistency check: {verdict}."
            + f" Schema: {side.get('schema', 'migrations')}."
            + (f" Tables without a migration yet (made by create_all): "
               f"{', '.join(side['unmigrated_tables'])}." if side.get("unmigrated_tables") else "")
            + ("".join(f"\n- drift: {line}" for line in side.get("schema_drift") or ())))


def write_results(args, url, side, http_results, scaling_results, durations,
                  mixed_results=None):
    from bench.http import table as http_table
    from bench.mixed import table as mixed_table
    from bench.scaling import table as scaling_table

    info = machine()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"## {when} · commit {info['commit']}"
             + (f" + {info['dirty_files']} uncommitted files" if info["dirty_files"] else ""),
             f"Machine: {info['cores']} cores ({info['cpu']}), {info['memory_gb']} GB, load "
             f"average {info['load']:.1f} at the end; Python {info['python']}, SQLite "
             f"{info['sqlite']}. Database: `{url}`." + (f" Note: {args.note}" if args.note else ""),
             seed_section(side)]
    if http_results:
        parts += [f"### HTTP ({http_results['clients']} clients, {http_results['seconds']:g} s "
                  f"each, {http_results['workers']} sync workers)", http_table(http_results)]
    if scaling_results:
        parts += [f"### Scaling (one client, {scaling_results['rounds']} rounds, sizes "
                  "interleaved)", scaling_table(scaling_results)]
    if mixed_results:
        parts += [f"### Mixed workload ({mixed_results['clients']} readers over a Zipf long "
                  f"tail, writers at a fixed rate, {mixed_results['warmup']:g}+"
                  f"{mixed_results['seconds']:g} s a phase, {mixed_results['workers']} sync "
                  "workers)", mixed_table(mixed_results)]
    parts.append("Steps: " + ", ".join(f"{k} {v:.0f} s" for k, v in durations.items()) + ".")
    section = "\n\n".join(parts) + "\n"
    old = RESULTS.read_text() if RESULTS.exists() else HEADER
    head, _, rest = old.partition("\n## ")
    RESULTS.write_text(head.rstrip() + "\n\n" + section + ("\n## " + rest if rest else ""))
    print(f"\nWrote {RESULTS}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--scale", default="large", choices=("small", "medium", "large"))
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--rounds", type=int, default=60, help="scaling rounds")
    parser.add_argument("--mixed", action="store_true",
                        help="also bench/mixed.py (votes, replies and pre-orders: reseed after)")
    parser.add_argument("--note", help="a line for RESULTS.md (what changed since last time)")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args(argv)
    url = database_url(args.scale)
    durations = {}
    if args.reseed or load_sidecar(url) is None:
        durations["seed"] = step("seed", [PYTHON, str(BENCH / "seed.py"), "--scale", args.scale,
                                          "--quiet", "--reset"])
    side = load_sidecar(url)
    if (seconds := ensure_search(url)) is not None:
        side["search_seconds"] = round(seconds, 1)
        durations["search rebuild"] = seconds
    http_results = scaling_results = None
    if not args.skip_http:
        durations["http"] = step("http", [PYTHON, str(BENCH / "http.py"), "--scale", args.scale,
                                          "--seconds", str(args.seconds)])
        http_results = json.loads((DATA / f"http-{side['scale']}.json").read_text())
    if not args.skip_scaling:
        durations["scaling"] = step("scaling", [PYTHON, str(BENCH / "scaling.py"), "--rounds",
                                                str(args.rounds)])
        scaling_results = json.loads((DATA / "scaling.json").read_text())
    mixed_results = None
    if args.mixed:
        durations["mixed"] = step("mixed", [PYTHON, str(BENCH / "mixed.py"), "--scale",
                                            args.scale, "--seconds", str(args.seconds)])
        name = side["scale"] if is_sqlite(url) else side["scale"] + "-pg"
        mixed_results = json.loads((DATA / f"mixed-{name}.json").read_text())
    if not args.no_write:
        write_results(args, url, side, http_results, scaling_results, durations, mixed_results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
