"""Results pages on PostgreSQL's search, this tree's code against a base commit's, in one
process: the same queries, the two versions interleaved query by query (so a busy machine
slows both alike), and every page compared (order, titles, snippets, links) first.

    git archive <base commit> | tar -x -C /tmp/base      # the code to compare with
    .venv/bin/python bench/search_page_ab.py --base /tmp/base [--docs 100000] [--queries 200]

Swaps in the base tree's community/search/sources.py (the kinds' loaders) and pgquery.py
(the backend) for "before"; everything else is this tree's. Seeds bench/search_bench.py's
mixed zh/en corpus into a fresh PostgreSQL database (made here, dropped at the end).
Wall ms per page and this process's CPU ms. Run with PGOPTIONS="-c
synchronize_seqscans=off": a common word's capped ranking (pgquery.RANK_CAP) ranks the first
matches a scan meets, and a synchronized scan starts where another left off.
"""

import argparse
import dataclasses
import importlib.util
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))


from bench.search_analyzer_probe import pct  # noqa: E402
from bench.search_pg import corpus_arguments, page, query_types, seeded_app  # noqa: E402


def load_base(base, name):
    spec = importlib.util.spec_from_file_location(
        f"community.search.{name}_base", Path(base) / "community/search" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def versions(base):
    import community.search as search
    from community.search import pgquery, sources
    from community.search.registry import KINDS

    def use(loaders, backend):
        def switch():
            search.pgquery = backend
            for kind, load in (("idea", loaders.load_ideas), ("thread", loaders.load_threads),
                               ("reply", loaders.load_replies)):
                KINDS[kind] = dataclasses.replace(KINDS[kind], load=load)
        return switch

    return {"before": use(load_base(base, "sources"), load_base(base, "pgquery")),
            "after": use(sources, pgquery)}


def shown(app, q):
    return [(h.kind, h.id, str(h.title), str(h.snippet), h.url) for h in page(app, q)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="a checkout of the base commit's tree")
    corpus_arguments(ap, queries=200)
    args = ap.parse_args()

    with seeded_app(args, "search_ab") as app:
        switch = versions(args.base)
        types = query_types(args.queries, args.seed)
        differ = 0
        for qs in types.values():
            for q in qs[:30]:
                pages = []
                for use in switch.values():
                    use()
                    pages.append(shown(app, q))
                differ += pages[0] != pages[1]
        print(f"pages compared: {30 * len(types)}, different: {differ}")
        print(f"{'query':<10} {'before p50 / p99 / cpu':>24} {'after p50 / p99 / cpu':>24}")
        for qtype, qs in types.items():
            out = {label: ([], []) for label in switch}
            for i, q in enumerate(qs):
                for label in (list(switch) if i % 2 else list(switch)[::-1]):
                    switch[label]()
                    wall, cpu = time.perf_counter(), time.thread_time()
                    page(app, q)
                    out[label][0].append((time.perf_counter() - wall) * 1000)
                    out[label][1].append((time.thread_time() - cpu) * 1000)
            print(f"{qtype:<10}" + "".join(
                f" {pct(ms, 50):8.2f} {pct(ms, 99):7.2f} {pct(cpu, 50):6.2f}"
                for ms, cpu in out.values()), flush=True)


if __name__ == "__main__":
    os.environ.setdefault("FANFORGE_RATELIMIT_ENABLED", "false")
    main()
