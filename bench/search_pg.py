"""Search on PostgreSQL's full-text backend against whoosh on SQLite, in one run.

    .venv/bin/python bench/search_pg.py [--docs 100000] [--queries 200]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Seeds the same mixed Chinese/English corpus (bench/search_bench.py's seed: ideas, threads,
replies) into a fresh SQLite file and a fresh PostgreSQL database (made here, dropped at
the end), rebuilds each backend through `community.search.rebuild()` (docs/s), then times
whole results pages, `community.search.search(q)`, for one English word, two English
words, a Chinese word and a Chinese phrase, the two backends interleaved query by query
so a busy machine slows both alike. Then recall on two-character Chinese words: the
documents each backend finds against a substring (LIKE) scan of every document's text.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.search_analyzer_probe import make_docs, make_queries, pct  # noqa: E402
from bench.search_bench import seed  # noqa: E402

ZH_PHRASES = ["电池 续航", "电池续航", "续航太短", "门禁卡 功能", "小米手环 NFC", "表盘 太少",
              "息屏显示 耗电", "蓝牙连接 断开", "支付宝 公交卡", "固件升级 卡顿"]


def make_app(url, workdir, backend=""):
    from app import create_app
    from community.kernel.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SEARCH_DIR": str(workdir / "search"),
                      "SECRET_KEY": "bench", "SEARCH_BACKEND": backend, "SERVER_NAME": None,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "DATABASE_STATEMENT_TIMEOUT": 300})
    with app.app_context():
        db.create_all()
    return app


def rebuild(app, label):
    from community import search
    from community.kernel.extensions import db

    with app.app_context():
        started = time.perf_counter()
        indexed = search.rebuild()
        secs = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            own = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
            with own.connect() as conn:
                conn.execute(text("VACUUM ANALYZE"))
                size = conn.execute(text(
                    "SELECT pg_total_relation_size('search_documents')")).scalar() / 2**20
            own.dispose()
        else:
            size = sum(f.stat().st_size for f in Path(app.config["SEARCH_DIR"]).iterdir()) / 2**20
    print(f"{label:<22} rebuild: {indexed} docs in {secs:6.1f} s = {indexed / secs:5.0f} docs/s,"
          f" index {size:.0f} MB", flush=True)


def page(app, q):
    from community import search

    with app.test_request_context():
        return search.search(q).items


def hits(_app, q):
    """The backend's part alone: the top 21 keys, no rows read back, no snippets, in a
    session already open (no connection checkout, BEGIN or ROLLBACK)."""
    from community.search import backends
    from community.search.index import get_index
    from community.search.pgquery import find, tsquery_of
    from community.search.query import keys_of, parse, run

    parsed = parse(q)
    if backends.postgresql():
        return find(tsquery_of(parsed), 21)
    return get_index().read(lambda searcher: keys_of(searcher, run(searcher, parsed, 21).hits))


def server_ms(app, q):
    """PostgreSQL's own execution time for the hits query (EXPLAIN ANALYZE): the index's
    cost without the round trips and this process's Python."""
    from community.kernel.extensions import db
    from community.search.pgquery import find_statement, tsquery_of
    from community.search.query import parse

    with app.app_context():
        compiled = find_statement(tsquery_of(parse(q)), 21).compile(dialect=db.engine.dialect)
        cursor = db.session.connection().connection.driver_connection.cursor()
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + str(compiled), compiled.params)
        plan = cursor.fetchone()[0][0]
        db.session.rollback()
        return plan["Execution Time"]


def timed(queries, apps, fn, chunk=1):
    """{label: ([wall ms], [this process's CPU ms])} per query, the apps interleaved
    (`chunk` queries at a time; hits() runs each chunk in one app context)."""
    out = {label: ([], []) for label in apps}
    for k in range(0, len(queries), chunk):
        for label, app in apps.items():
            with app.app_context() if fn is hits else nullcontext():
                for q in queries[k:k + chunk]:
                    wall, cpu = time.perf_counter(), time.thread_time()
                    fn(app, q)
                    out[label][0].append((time.perf_counter() - wall) * 1000)
                    out[label][1].append((time.thread_time() - cpu) * 1000)
    return out


def all_keys(app, word):
    """Every document the backend finds for `word` (no page, no cap)."""
    from community.kernel.extensions import db
    from community.search import backends
    from community.search.index import get_index
    from community.search.models import SearchDocument
    from community.search.pgquery import tsquery_of
    from community.search.query import parse

    with app.app_context():
        q = parse(word)
        if backends.postgresql():
            tsq = tsquery_of(q)
            rows = db.session.execute(select(SearchDocument.kind, SearchDocument.ref_id).where(
                SearchDocument.tsv.op("@@")(text(":q ::tsquery").bindparams(q=tsq.text))))
            return {f"{k}:{i}" for k, i in rows}
        with get_index().reading() as searcher:
            return {searcher.stored_fields(hit.docnum)["key"]
                    for hit in searcher.search(q, limit=None)}


def truth(app, words):
    """{word: keys of documents whose title or text holds it}: a LIKE scan of the text the
    index is built from (the kinds' loaders)."""
    from community.search.registry import KINDS
    from community.search.reindex import iter_docs

    found = {w: set() for w in words}
    with app.app_context():
        for kind in KINDS.values():
            for _read, docs in iter_docs(kind, 2000):
                for doc in docs:
                    text_ = f"{doc.title}\n{doc.body}"
                    for w in words:
                        if w in text_:
                            found[w].add(doc.key)
    return found


def writes(pg_url, workdir, n):
    """A reply's cost on PostgreSQL: indexed in its transaction (FTS) against an outbox
    row plus the drain the request runs after its response (whoosh)."""
    from community import search
    from community.accounts import service as accounts
    from community.forum import service as forum
    from community.forum.models import Thread
    from community.kernel.extensions import db

    print(f"\na reply on PostgreSQL, {n} each (ms):")
    for label, backend in (("PostgreSQL FTS", ""), ("whoosh on PostgreSQL", "whoosh")):
        app = make_app(pg_url, workdir / f"writes-{backend or 'fts'}", backend)
        commit, drain = [], []
        with app.test_request_context():
            user = accounts.register(f"writer{backend}", f"w{backend}@example.com", "bench-pass-1",
                                     verified=True)
            thread_id = db.session.scalar(select(Thread.id).order_by(Thread.id).limit(1))
            for i in range(n):
                started = time.perf_counter()
                forum.reply(db.session.get(Thread, thread_id), user,
                            f"电池续航 battery reply {i} 充电 charging notifications")
                commit.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                search.drain()
                drain.append((time.perf_counter() - started) * 1000)
            db.session.remove()
            db.engine.dispose()
        print(f"  {label:<22} in the request p50 {pct(commit, 50):6.2f} p99 {pct(commit, 99):6.2f}"
              f"   after it (drain) p50 {pct(drain, 50):6.2f} p99 {pct(drain, 99):6.2f}",
              flush=True)


@contextmanager
def scratch_database(admin_url, prefix):
    """A fresh PostgreSQL database for one run, dropped at the end: yields its URL."""
    admin_url = make_url(admin_url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def corpus_arguments(parser, queries):
    """The options every search script shares: the corpus, the queries, where PostgreSQL is."""
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=queries, help="per query type")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg-url", default=os.environ.get(
        "FANFORGE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))


@contextmanager
def seeded_app(args, name):
    """An app on a scratch PostgreSQL database holding --docs documents, indexed for
    PostgreSQL's full-text search; its connections given back and the database dropped
    at the end."""
    from community.search.analyzer import warm_up

    warm_up()
    with scratch_database(args.pg_url, f"fanforge_{name}") as pg_url:
        app = make_app(pg_url, Path(tempfile.mkdtemp(prefix=f"{name}_")))
        started = time.perf_counter()
        seed(app, list(make_docs(args.docs, args.seed)), args.seed)
        print(f"seeded {args.docs} documents in {time.perf_counter() - started:.1f} s", flush=True)
        rebuild(app, "PostgreSQL FTS")
        try:
            yield app
        finally:
            close(app)


def close(app):
    """Give back the app's connections (the database can then be dropped)."""
    from community.kernel.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def query_types(count, seed_value):
    """{query shape: queries}: one English word, two, a Chinese word, a Chinese phrase."""
    queries = make_queries(count, seed_value)
    return {"one word": queries["en_1word"],
            "two words": [q for q in queries["en_2words"] if len(q.split()) == 2]
            or queries["en_2words"],
            "zh word": [q for q in queries["zh"] if " " not in q and len(q) <= 4],
            "zh phrase": [ZH_PHRASES[i % len(ZH_PHRASES)] for i in range(count)]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    corpus_arguments(ap, queries=200)
    ap.add_argument("--writes", type=int, default=100, help="replies timed per backend")
    args = ap.parse_args()

    from community.search.analyzer import warm_up

    warm_up()
    workdir = Path(tempfile.mkdtemp(prefix="search_pg_"))
    with scratch_database(args.pg_url, "fanforge_search_bench") as pg_url:
        try:
            run(args, pg_url, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args, pg_url, workdir):
    docs = list(make_docs(args.docs, args.seed))
    apps = {"whoosh on SQLite": make_app(f"sqlite:///{workdir}/bench.sqlite3", workdir),
            "PostgreSQL FTS": make_app(pg_url, workdir / "unused")}
    for label, app in apps.items():
        started = time.perf_counter()
        seed(app, docs, args.seed)
        print(f"{label:<22} seeded {len(docs)} documents in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    for label, app in apps.items():
        rebuild(app, label)
    del docs

    types = query_types(args.queries, args.seed)
    zh_words = types["zh word"]
    for qs in types.values():  # warm caches: the OS's, PostgreSQL's, the stemmer's
        timed(qs[:20], apps, page)
    for what, fn in (("results pages (20 hits, rows read back, snippets)", page),
                     ("hits only (the top 21 keys)", hits)):
        print(f"\n{what}, {args.queries} queries per type:")
        print(f"  {'backend':<18} {'query':<10} {'p50 ms':>8} {'p99 ms':>8} {'mean':>7}"
              f" {'cpu p50':>8}")
        for qtype, qs in types.items():
            for label, (ms, cpu) in timed(qs, apps, fn, 1 if fn is page else 10).items():
                print(f"  {label:<18} {qtype:<10} {pct(ms, 50):8.2f} {pct(ms, 99):8.2f} "
                      f"{statistics.mean(ms):7.2f} {pct(cpu, 50):8.2f}", flush=True)

    print("\nPostgreSQL's execution time of the hits query (EXPLAIN ANALYZE):")
    for qtype, qs in types.items():
        ms = [server_ms(apps["PostgreSQL FTS"], q) for q in qs]
        print(f"  {'PostgreSQL FTS':<18} {qtype:<10} {pct(ms, 50):8.2f} {pct(ms, 99):8.2f} "
              f"{statistics.mean(ms):7.2f}", flush=True)

    two = sorted({w for w in zh_words if len(w) == 2} | {"续航", "门禁", "电池", "耗电",
                                                           "闪退", "同步", "卡顿", "充电"})
    expected = truth(apps["PostgreSQL FTS"], two)
    print(f"\nrecall on {len(two)} two-character Chinese words against a LIKE scan:")
    for label, app in apps.items():
        hit = sum(len(all_keys(app, w) & expected[w]) for w in two)
        want = sum(len(expected[w]) for w in two)
        worst = min(two, key=lambda w: len(all_keys(app, w) & expected[w])
                    / max(len(expected[w]), 1))
        print(f"  {label:<18} {hit}/{want} = {100 * hit / max(want, 1):.2f}% "
              f"(lowest: {worst})", flush=True)
    writes(pg_url, workdir, args.writes)
    for app in apps.values():
        close(app)


if __name__ == "__main__":
    os.environ.setdefault("FANFORGE_RATELIMIT_ENABLED", "false")
    main()
