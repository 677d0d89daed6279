"""Which matches a common word's ranking reads, before and after, in one run:

    .venv/bin/python bench/search_rankset.py [--docs 100000] [--queries 150]

Before: the first RANK_CAP matches a scan meets (PostgreSQL's synchronized scans start
anywhere, so a common word's first page changed from one search to the next). After: the
newest RANK_CAP, found through ix_search_documents_created_at. Seeds bench/search_pg.py's
corpus into a fresh PostgreSQL database (dropped at the end), then times whole results
pages and PostgreSQL's execution of the hits query with each statement, query by query
interleaved, and counts how often a query's first page differs between two searches.
"""

import argparse
import functools
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.search_analyzer_probe import pct  # noqa: E402
from bench.search_pg import corpus_arguments, page, query_types, seeded_app, server_ms  # noqa: E402


def first_met_template(pgquery):
    """The statement as it was: the first RANK_CAP + 1 matches, in no stated order."""
    @functools.cache
    def template(sort, phrases, kinds, board):
        doc = pgquery.SearchDocument
        where = pgquery._matching(kinds, board)
        limit = pgquery.bindparam("limit", type_=pgquery.Integer)
        if sort == "date":
            return (select(doc.kind, doc.ref_id, pgquery.literal(0.0),
                           pgquery.func.count().over())
                    .where(*where).order_by(doc.created_at.desc(), doc.ref_id.desc())
                    .limit(limit))
        found = (select(doc.kind, doc.ref_id, doc.created_at, doc.tsv).where(*where)
                 .limit(pgquery.RANK_CAP + 1).subquery())
        score = pgquery._rank(found.c.tsv, phrases).label("score")
        return (select(found.c.kind, found.c.ref_id, score, pgquery.func.count().over())
                .order_by(score.desc(), found.c.created_at.desc(), found.c.ref_id.desc())
                .limit(limit))
    return template


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    corpus_arguments(ap, queries=150)
    args = ap.parse_args()

    from community.search import pgquery

    with seeded_app(args, "rankset") as app:
        types = query_types(args.queries, args.seed)
        statements = {"first met (before)": first_met_template(pgquery),
                      "newest (after)": pgquery._find_template}

        def results(q):
            return [(h.kind, h.id) for h in page(app, q)]

        for qs in types.values():  # warm the caches
            for template in statements.values():
                pgquery._find_template = template
                for q in qs[:15]:
                    results(q)
        print(f"\nload {os.getloadavg()[0]:.1f}; p50 / p99 ms, {args.queries} queries a type")
        print(f"  {'statement':<20} {'query':<10} {'page p50':>9} {'page p99':>9}"
              f" {'server p50':>11} {'pages unstable':>15}")
        for qtype, qs in types.items():
            ms = {label: [] for label in statements}
            server = {label: [] for label in statements}
            unstable = dict.fromkeys(statements, 0)
            for i, q in enumerate(qs):
                order = list(statements.items())
                for label, template in (order if i % 2 else order[::-1]):
                    pgquery._find_template = template
                    started = time.perf_counter()
                    first = results(q)
                    ms[label].append((time.perf_counter() - started) * 1000)
                    server[label].append(server_ms(app, q))
                    unstable[label] += first != results(q)
            for label in statements:
                print(f"  {label:<20} {qtype:<10} {pct(ms[label], 50):9.2f}"
                      f" {pct(ms[label], 99):9.2f} {pct(server[label], 50):11.2f}"
                      f" {unstable[label]:>10}/{len(qs)}", flush=True)
        print("mean page ms over all: " + ", ".join(
            f"{label} {statistics.mean(ms[label]):.2f}" for label in statements))


if __name__ == "__main__":
    os.environ.setdefault("FANFORGE_RATELIMIT_ENABLED", "false")
    main()
