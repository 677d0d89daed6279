"""Fanforge search at 100k documents: rebuild speed and query latency, against SQLite FTS5
(trigram tokenizer) on the same text in the same run as a yardstick.

    .venv/bin/python bench/search_bench.py [--docs 100000] [--queries 200] [--workdir DIR]

Seeds a fresh SQLite database with mixed Chinese/English ideas, discussion threads and
replies (the text generator of bench/search_analyzer_probe.py), rebuilds the real index
through `community.search.rebuild()` (docs/s), then times the same queries three ways,
interleaved so a busy machine slows all alike:

- fanforge page: `community.search.search(q)`, the whole results page: parsing, the
  index, 20 rows read back from the database and their highlighted snippets;
- fanforge hits: parsing and the index only (the top 21 keys);
- fts5 page / hits: MATCH ranked by bm25, with LIKE for terms under 3 characters (the
  trigram tokenizer's limit); the page adds FTS5's own highlight() and snippet().
"""

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ itself must not be on the path (bench/http.py would shadow the standard library).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bench.search_analyzer_probe import fts_search, make_docs, make_queries, pct  # noqa: E402

SHARES = {"idea": 0.3, "thread": 0.15}  # the rest are replies
TYPOS = ["baterry", "notifcations", "bluetoth", "acuracy", "charing", "brightnes", "spotfy",
         "wireles", "vibraton", "disconecting"]


def build_app(workdir):
    from app import create_app
    from community.kernel.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.sqlite3",
                      "SEARCH_DIR": str(workdir / "search"), "SECRET_KEY": "bench",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SERVER_NAME": None})
    with app.app_context():
        db.create_all()
    return app


def seed(app, docs, seed_value):
    """Bulk-insert ideas (thread + opening post + idea), threads and replies; returns the
    (title, body) of every searchable document, as FTS5 will index them."""
    from community.accounts import service as accounts
    from community.forum import boards
    from community.forum.models import Post, Thread
    from community.ideas.models import Idea
    from community.kernel.extensions import db

    rng = random.Random(seed_value)
    start = datetime(2024, 1, 1)
    texts = []
    with app.app_context():
        board_ids = [boards.create_board(f"Board {i}", f"board-{i}").id for i in range(12)]
        users = [accounts.register(f"fan{i}", f"fan{i}@example.com", "bench-pass-1").id
                 for i in range(50)]
        threads, posts, ideas, owners = [], [], [], []
        n_ideas, n_threads = int(len(docs) * SHARES["idea"]), int(len(docs) * SHARES["thread"])
        for n, (_i, title, body) in enumerate(docs):
            when = start + timedelta(minutes=n * 7)
            author = rng.choice(users)
            html = f"<p>{escape(body)}</p>"
            if n < n_ideas + n_threads:  # a thread of its own (an idea's or a discussion)
                tid, board = len(threads) + 1, rng.choice(board_ids)
                kind = "idea" if n < n_ideas else "discussion"
                threads.append({"id": tid, "board_id": board, "author_id": author, "title": title,
                                "kind": kind, "listed": kind != "idea", "created_at": when,
                                "last_post_at": when, "reply_count": 0})
                posts.append({"thread_id": tid, "author_id": author, "position": 0, "body": body,
                              "body_html": html, "created_at": when})
                if kind == "idea":
                    ideas.append({"id": len(ideas) + 1, "board_id": board, "thread_id": tid,
                                  "author_id": author, "created_at": when,
                                  "status_changed_at": when, "votes": rng.randint(0, 300)})
                owners.append(tid)
                texts.append((title, body))
            else:  # a reply somewhere
                owner = threads[rng.choice(owners) - 1]
                owner["reply_count"] += 1
                posts.append({"thread_id": owner["id"], "author_id": author,
                              "position": owner["reply_count"], "body": body, "body_html": html,
                              "created_at": when})
                texts.append(("", body))
        for model, rows in ((Thread, threads), (Post, posts), (Idea, ideas)):
            for k in range(0, len(rows), 20_000):
                db.session.execute(insert(model), rows[k:k + 20_000])
        db.session.commit()
    return texts


def build_fts(path, texts):
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='trigram')")
    started = time.perf_counter()
    db.executemany("INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)",
                   ((n + 1, t, b) for n, (t, b) in enumerate(texts)))
    db.commit()
    return db, time.perf_counter() - started


def fts_page(db, qstring, limit=21):
    """The FTS5 side of a results page: the hits with a highlighted title and snippet
    (LIKE-only queries, which FTS5 cannot highlight, get the text's start)."""
    long_ = [t for t in qstring.split() if len(t) >= 3]
    if not long_:
        return db.execute(f"SELECT rowid, title, substr(body, 1, 160) FROM fts WHERE rowid IN "
                          f"({','.join(map(str, fts_search(db, qstring, limit)) or '0')})").fetchall()
    rows = fts_search(db, qstring, limit)
    match = " ".join('"{}"'.format(t.replace('"', '""')) for t in long_)
    return db.execute(
        "SELECT rowid, highlight(fts, 0, '<mark>', '</mark>'), "
        "snippet(fts, 1, '<mark>', '</mark>', '…', 24) FROM fts WHERE fts MATCH ? AND rowid IN "
        f"({','.join(map(str, rows)) or '0'})", [match]).fetchall()


def timed(queries, fns):
    """{label: (wall ms, CPU ms)} per query. CPU time leaves out the time a shared,
    busy machine gives to other processes; wall time is what a user waits."""
    out = {label: ([], []) for label in fns}
    for q in queries:
        for label, fn in fns.items():
            wall, cpu = time.perf_counter(), time.thread_time()
            fn(q)
            out[label][0].append((time.perf_counter() - wall) * 1000)
            out[label][1].append((time.thread_time() - cpu) * 1000)
    return out


def line(label, qtype, times):
    wall, cpu = times
    print(f"  {label:<26} {qtype:<10} p50 {pct(wall, 50):7.2f} ms   p99 {pct(wall, 99):7.2f} ms"
          f"   mean {statistics.mean(wall):6.2f}   cpu p50 {pct(cpu, 50):6.2f} p99 {pct(cpu, 99):7.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200, help="per query type")
    ap.add_argument("--procs", type=int, default=1, help="rebuild processes")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--reuse", action="store_true", help="keep the database and index of --workdir")
    args = ap.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="search_bench_"))
    reuse = args.reuse and (workdir / "bench.sqlite3").exists()
    if not reuse:
        shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)

    from community import search
    from community.search.analyzer import correct_query, warm_up
    from community.search.index import get_index
    from community.search.query import keys_of, parse, run

    started = time.perf_counter()
    warm_up()
    print(f"jieba warm-up: {time.perf_counter() - started:.2f} s (once per process)")
    app = build_app(workdir)
    docs = list(make_docs(args.docs, args.seed))
    if reuse:
        texts = [(t if n < int(len(docs) * 0.45) else "", b) for n, (_i, t, b) in enumerate(docs)]
    else:
        started = time.perf_counter()
        texts = seed(app, docs, args.seed)
        print(f"seeded {len(texts)} documents in {time.perf_counter() - started:.1f} s "
              f"({sum(len(t) + len(b) for t, b in texts) / len(texts):.0f} chars each)")
        with app.app_context():
            started = time.perf_counter()
            indexed = search.rebuild(procs=args.procs)
            secs = time.perf_counter() - started
        size = sum(f.stat().st_size for f in (workdir / "search").iterdir()) / 2**20
        print(f"fanforge rebuild: {indexed} docs in {secs:.1f} s = {indexed / secs:.0f} docs/s "
              f"(procs={args.procs}), index {size:.0f} MB")
    fts_path = workdir / "fts.sqlite3"
    fts_path.unlink(missing_ok=True)
    fts, secs = build_fts(fts_path, texts)
    print(f"fts5 trigram build: {len(texts) / secs:.0f} docs/s, "
          f"{fts_path.stat().st_size / 2**20:.0f} MB")
    del docs, texts

    queries = make_queries(args.queries, args.seed)
    # The searcher lock is re-entrant: search() below takes it again in this thread.
    with app.test_request_context(), get_index().reading() as searcher:

        def page(q):
            return search.search(q).items

        def hits(q):
            parsed = parse(q)
            return keys_of(searcher, run(searcher, parsed, 21).hits) if parsed else []

        def newest(q):
            return search.search(q, sort="date").items

        def similar(q):
            return search.similar_ideas(q)

        fns = {"fanforge page (20 hits)": page, "fts5 page (snippets)": lambda q: fts_page(fts, q),
               "fanforge hits only": hits, "fts5 hits only": lambda q: fts_search(fts, q, 21)}
        for qs in queries.values():  # warm the OS cache, the stemmer and the column readers
            for q in qs[:20]:
                for fn in fns.values():
                    fn(q)
        print(f"\nlatency, {args.queries} queries per type, {searcher.doc_count()} documents:")
        summary = {}
        for qtype, qs in queries.items():
            for label, times in timed(qs, fns).items():
                line(label, qtype, times)
                summary[label, qtype] = pct(times[0], 50)
                summary[label, qtype, "cpu"] = pct(times[1], 50)
            print()
        for qtype in queries:
            ratios = [summary["fanforge page (20 hits)", qtype, *cpu]
                      / summary["fts5 page (snippets)", qtype, *cpu] for cpu in ((), ("cpu",))]
            ratios += [summary["fanforge hits only", qtype, *cpu]
                       / summary["fts5 hits only", qtype, *cpu] for cpu in ((), ("cpu",))]
            print(f"  {qtype:<10} p50 fanforge / fts5: page {ratios[0]:4.1f}x (cpu {ratios[1]:4.1f}x)"
                  f"   hits {ratios[2]:4.1f}x (cpu {ratios[3]:4.1f}x)")
        print("\nother paths:")
        mixed = [q for qs in queries.values() for q in qs[: args.queries // 3]]
        for label, ms in timed(mixed, {"sorted by date (page)": newest}).items():
            line(label, "mixed", ms)
        titles = [" ".join(q.split()[:3]) for q in mixed]
        for label, ms in timed(titles, {"similar ideas (typing)": similar}).items():
            line(label, "mixed", ms)
        for label, ms in timed(TYPOS * 5, {"did you mean": lambda q: correct_query(
                searcher, "text", q)}).items():
            line(label, "typos", ms)
        print(f"  e.g. {[correct_query(searcher, 'text', q) for q in TYPOS[:5]]}")
    fts.close()
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("FANFORGE_RATELIMIT_ENABLED", "false")
    main()
