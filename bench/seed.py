# ruff: noqa: E402  (the sys.path fix below must run before the other imports)
"""Fill a fresh database with a realistic Fanforge community for the benchmarks.

    .venv/bin/python bench/seed.py --scale small            # ~2k ideas, seconds
    .venv/bin/python bench/seed.py --scale large            # 100k ideas, 1M votes
    .venv/bin/python bench/seed.py --scale large --ideas 1000   # scaling.py's small end
    FANFORGE_DATABASE_URL=postgresql+psycopg://... bench/seed.py --scale medium --reset

The schema comes from the migrations (`flask db upgrade`), plus create_all() for models
that have no revision yet (named in the output). Rows go in with bulk INSERTs through
SQLAlchemy Core; every counter and score is computed as the services would, and a
closing check compares them with the rows. Accounts share one password
(bench.common.PASSWORD); the first fans also get API tokens, listed in the sidecar
JSON next to the database for bench/http.py.
"""

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import hashlib
import random
import shutil
import subprocess
import tempfile
import time

from sqlalchemy import func, select, update
from werkzeug.security import generate_password_hash

from bench import seed_check, seed_community, seed_ideas, seed_ledger, seed_social, seed_store
from bench.common import (
    PASSWORD,
    PASSWORD_HASH_METHOD,
    PYTHON,
    ROOT,
    database_url,
    is_sqlite,
    make_app,
    save_sidecar,
    search_dir,
    server_env,
)
from bench.seed_db import (
    Writer,
    add_unmigrated_tables,
    compare_schemas,
    fresh_database,
    migrate,
    schema_of,
)

SCALES = {
    "small": {"users": 200, "boards": 5, "ideas": 2_000, "votes": 20_000, "replies": 6_000,
              "discussions": 200, "likes": 3_000, "products": 10, "campaigns": 4,
              "orders": 1_000, "tokens": 100},
    "medium": {"users": 1_000, "boards": 10, "ideas": 10_000, "votes": 100_000,
               "replies": 30_000, "discussions": 1_000, "likes": 15_000, "products": 20,
               "campaigns": 8, "orders": 5_000, "tokens": 500},
    "large": {"users": 10_000, "boards": 10, "ideas": 100_000, "votes": 1_000_000,
              "replies": 300_000, "discussions": 10_000, "likes": 150_000, "products": 50,
              "campaigns": 20, "orders": 50_000, "tokens": 2_000},
}
PER_IDEA = ("votes", "replies", "discussions", "likes")


def make_plan(scale, ideas=None):
    plan = dict(SCALES[scale], days=365, showcase_replies=200, showcase_votes=500)
    if ideas:  # scaling.py: the idea-related tables grow, people and products stay
        factor = ideas / plan["ideas"]
        plan.update({k: max(1, int(plan[k] * factor)) for k in PER_IDEA}, ideas=ideas)
    return plan


def tokens(w, plan, salt):
    """API tokens for the first fans: (user_id, plaintext), stored hashed as tokens.py does."""
    from community.accounts.tokens import SHOWN_CHARS, ApiToken

    pairs = [(uid, f"ff_bench_{salt}_{uid}") for uid in range(7, 7 + plan["tokens"])]
    w.insert(ApiToken, ({"user_id": uid, "name": "bench", "prefix": text[:SHOWN_CHARS],
                         "token_hash": hashlib.sha256(text.encode()).hexdigest()}
                        for uid, text in pairs), len(pairs), "api_tokens")
    return pairs


def board_counters(w):
    from community.forum.models import Board, Post, Thread

    on_board = Thread.board_id == Board.id
    posts = select(func.count()).select_from(Post).join(Thread, Thread.id == Post.thread_id)
    last = select(func.max(Post.created_at)).join(Thread, Thread.id == Post.thread_id)
    w.execute("boards counters", update(Board).values(
        thread_count=select(func.count()).where(on_board, Thread.listed.is_(True))
        .scalar_subquery(),
        post_count=posts.where(on_board).scalar_subquery(),
        last_post_at=last.where(on_board).scalar_subquery(),
        last_thread_id=select(Thread.id).where(on_board, Thread.listed.is_(True))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc()).limit(1).scalar_subquery()))


def seed(w, db, plan, rng, now):
    from bench.seed_text import BodyPool
    from community.web.markdown import render

    info = {}
    seed_community.users(w, rng, plan, now, generate_password_hash(
        PASSWORD, method=PASSWORD_HASH_METHOD))
    board_ids, slugs = seed_community.boards(w, plan, now)
    threads, showcase = seed_community.plan_threads(rng, plan, now, board_ids)
    ideas, show = seed_ideas.plan_ideas(rng, plan, now, threads, showcase)
    replies, next_post = seed_community.threads_and_posts(w, rng, plan, now, threads, BodyPool())
    copies = seed_ideas.copy_merged_votes(rng, plan, now, ideas)
    seed_ideas.write_ideas(w, rng, plan, now, ideas)
    seed_ideas.write_votes(w, rng, plan, now, ideas, copies)
    seed_ideas.write_statuses(w, rng, ideas, render)
    seed_community.likes(w, rng, plan, now, replies)
    info.update(seed_store.seed_store(w, rng, plan, now, ideas, len(threads) + 1, next_post,
                                      render))
    board_counters(w)
    seed_ideas.idea_counts(w)
    info["tokens"] = tokens(w, plan, f"{rng.getrandbits(32):08x}")
    seed_social.follows(w, rng, plan, now)
    seed_social.notifications(w, now)
    seed_social.activities(w)
    seed_ledger.build(w, now)
    seed_ledger.award_medals(db)
    busiest = max(board_ids, key=lambda b: sum(1 for t in threads if t.board_id == b))
    info.update(showcase_idea=show.id, board_slug=slugs[busiest], board_id=busiest,
                fan_login=None)
    return info


def search_rebuild(url):
    """`flask search rebuild` when the search package provides it; seconds or None."""
    app = make_app(url)
    if "search" not in app.cli.commands:
        return None
    start = time.monotonic()
    done = subprocess.run([PYTHON, "-m", "flask", "--app", "app", "search", "rebuild",
                           "--procs", "2"], cwd=ROOT,
                          env=server_env(url), capture_output=True, text=True)
    if done.returncode != 0:
        print("  search rebuild failed:", done.stderr[-2000:])
        return None
    return time.monotonic() - start


def schema_drift(url, migrated):
    """The migrated schema against a create_all() one (SQLite only: types are per dialect)."""
    from community.kernel.extensions import db

    if not is_sqlite(url):
        return []
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(f"sqlite:///{tmp}/models.sqlite3")
        with app.app_context():
            db.create_all()
            created = schema_of(db.engine)
            db.engine.dispose()
    return compare_schemas(migrated, created)


def build_schema(args, url, db):
    """The schema by the migrations, checked against the models; see --schema."""
    fresh_database(url, args.reset)
    if args.schema == "models":
        db.create_all()
        return "models (create_all)", 0.0, [], []
    seconds = migrate(url)
    print(f"  {'migrations':<22} {'':>10}      {seconds:7.1f}s")
    migrated = schema_of(db.engine)
    unmigrated = add_unmigrated_tables(db)
    if unmigrated:
        print(f"  tables with no migration yet (made by create_all): {', '.join(unmigrated)}")
    drift = [line for line in schema_drift(url, migrated) if line.split(":")[0] not in unmigrated]
    if not drift:
        return "migrations" + (" + create_all" if unmigrated else ""), seconds, unmigrated, []
    print("  SCHEMA DRIFT: the models differ from what the migrations build:\n    "
          + "\n    ".join(drift))
    if args.schema == "migrations":
        raise SystemExit("Stopping (--schema migrations): add the missing revision first.")
    print("  Seeding the models' schema instead (create_all); --schema migrations stops here.")
    db.session.remove()
    db.engine.dispose()
    fresh_database(url, reset=True)
    db.create_all()
    return "models (migrations lag)", seconds, unmigrated, drift


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--ideas", type=int, help="override the number of ideas (votes, "
                        "replies and discussions follow in proportion)")
    parser.add_argument("--database-url", help="default: FANFORGE_DATABASE_URL, else "
                        "bench/.data/<scale>.sqlite3")
    parser.add_argument("--reset", action="store_true", help="PostgreSQL: empty a database "
                        "that already has tables")
    parser.add_argument("--schema", choices=("auto", "migrations", "models"), default="auto",
                        help="migrations: `flask db upgrade` and stop on drift from the models; "
                        "models: create_all(); auto (default): migrations, or the models with a "
                        "warning when they have drifted")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--analyze", action="store_true", help="SQLite: run ANALYZE at the end "
                        "(the app never does, so by default neither does the seed)")
    parser.add_argument("--verify-ledger", action="store_true", help="also run the app's own "
                        "ledger recompute (rolled back) and report what it would change; slow "
                        "at large scale")
    parser.add_argument("--no-search", action="store_true", help="skip `flask search rebuild`")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    from community.kernel.database import utcnow
    from community.kernel.extensions import db

    plan = make_plan(args.scale, args.ideas)
    name = args.scale + (f"-i{args.ideas}" if args.ideas else "")
    url = args.database_url or database_url(name)
    began = time.monotonic()
    print(f"Seeding {name} into {url}: " + ", ".join(f"{k}={v:,}" for k, v in plan.items()))
    shutil.rmtree(search_dir(url), ignore_errors=True)
    app = make_app(url)
    with app.app_context():
        schema, migrate_seconds, unmigrated, drift = build_schema(args, url, db)
        w = Writer(db, progress=not args.quiet)
        info = seed(w, db, plan, random.Random(args.seed), utcnow())
        w.finish(analyze=args.analyze)
        seed_seconds = time.monotonic() - began
        print(f"Seeded in {seed_seconds:.0f}s. Checking counters against rows:")
        with db.engine.connect() as conn:
            check = seed_check.run(conn)
        ledger = None
        if args.verify_ledger:
            changes, seconds = seed_ledger.verify_with_recompute(db)
            ledger = {"changes": changes, "seconds": round(seconds, 1)}
            print(f"  engagement recompute would change {changes} ({seconds:.0f}s)")
        db.engine.dispose()
    search = None if args.no_search else search_rebuild(url)
    print("  search rebuild: " + ("skipped (--no-search)" if args.no_search else
                                   "not available (no `flask search` command)" if search is None
                                   else f"{search:.0f}s"))
    wrong = {k: v for k, v in check.items() if v}
    print("Consistent: every counter matches its rows." if not wrong else f"INCONSISTENT: {wrong}")
    save_sidecar(url, dict(info, scale=name, plan=plan, url=url, seed=args.seed,
                           password=PASSWORD, seconds=round(seed_seconds, 1),
                           migrate_seconds=round(migrate_seconds, 1), check=check,
                           unmigrated_tables=unmigrated, schema_drift=drift, schema=schema,
                           ledger=ledger,
                           search_seconds=search, timings={k: round(v, 1) for k, v in
                                                           w.timings.items()},
                           rows=w.rows))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
