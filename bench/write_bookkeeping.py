"""What the page cache's bookkeeping costs a write transaction, in-process (issues 21, 22).

Votes through the API (PUT then DELETE /api/v1/ideas/<id>/vote, one transaction each),
replies (a signed-in fan's form post to /t/<id>/reply) and payment webhooks (POST /payments/webhooks/dummy, a receipt and the ledger's rows) on a
fresh database, each request timed with time.process_time: in turns with the bookkeeping
on (community/kernel/dependencies/ notes the writes, the page store bumps their keys)
and off (nobody listens: the engine hooks return at once), so both halves meet the same
machine load. `--profile` runs cProfile over the bookkeeping-on half instead and prints
the hooks' share.

    .venv/bin/python -m bench.write_bookkeeping [--database-url postgresql+psycopg://...]
        [--cache-url redis://...] [--rounds 300] [--profile]

PostgreSQL: a scratch database is made beside the one named and dropped afterwards.
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from helpers import (  # noqa: E402
    PASSWORD,
    build_app,
    make_board,
    make_campaign,
    make_thread,
    make_user,
)

from community.accounts import tokens  # noqa: E402
from community.ideas import service as ideas  # noqa: E402
from community.kernel.dependencies import writes  # noqa: E402
from community.kernel.extensions import db  # noqa: E402
from products.addresses import service as addresses  # noqa: E402
from products.orders import service as orders  # noqa: E402
from products.payments import checkout, providers  # noqa: E402
from products.payments.providers.base import Event  # noqa: E402

ADDRESS = {"recipient": "王小明", "phone": "13800138000", "country": "CN", "region": "北京市",
           "city": "北京市", "district": "海淀区", "street": "清华园1号", "postal_code": "100084"}


def _scratch_pg(url):
    admin_url = make_url(url)
    name = f"fanforge_writecost_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, admin_url.set(database=name).render_as_string(hide_password=False)


def _world(app, rounds):
    """A fan with a token, an idea to vote on, a thread to reply to, and `rounds` payments
    awaiting a webhook."""
    with app.app_context():
        db.create_all()
        fan = make_user("voter")
        token = tokens.create_token(fan, "bench")[1]
        board = make_board()
        idea = ideas.propose(board, make_user(), "An idea to vote on", "b").id
        thread = make_thread(board, make_user(), title="A thread to reply to").id
        campaign = make_campaign(charge_mode="full", cap=rounds * 2 + 10, per_buyer=1)
        payments = []
        for n in range(rounds):
            buyer = make_user(f"buyer{n}")
            address = addresses.add_address(buyer, ADDRESS, make_default=True)
            placed, _ = orders.place_order(campaign.id, buyer, campaign.tiers[0].id, 1, f"k{n}")
            with app.test_request_context():
                payment = checkout.start(placed.id, buyer, "http://fanforge.test/back",
                                         address_id=address.id)
            payments.append((payment.ref, payment.amount_cents))
        return token, idea, thread, payments


def _requests(app, token, idea, thread, payments):
    """Functions, one transaction each: a vote, its withdrawal, a reply, a webhook."""
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    fan = app.test_client()
    assert fan.post("/login", data={"login": "voter", "password": PASSWORD}).status_code == 302
    replies = iter(range(1_000_000))

    def vote():
        assert client.put(f"/api/v1/ideas/{idea}/vote", headers=bearer).status_code == 200

    def unvote():
        assert client.delete(f"/api/v1/ideas/{idea}/vote", headers=bearer).status_code == 200

    def reply():
        n = next(replies)
        answer = fan.post(f"/t/{thread}/reply", data={
            "body": f"Reply number {n}: the battery still matters.", "submit_token": f"r{n}"})
        assert answer.status_code in (302, 303), answer.status_code

    bodies = []
    with app.app_context():
        gateway = providers.get("dummy")
        for ref, cents in payments:
            event = Event(f"capture:{ref}", ref, "captured", cents, "CNY", "succeeded")
            bodies.append(gateway.notification([event]))
    bodies.reverse()

    def webhook():
        body, headers = bodies.pop()
        answer = client.post("/payments/webhooks/dummy", data=body,
                             headers={**headers, "Content-Type": "application/json"})
        assert answer.get_json() == {"received": "booked"}, answer.get_data(as_text=True)

    return {"vote": vote, "unvote": unvote, "reply": reply, "webhook": webhook}


def _cpu_ms(function):
    started = time.process_time()
    function()
    return 1000 * (time.process_time() - started)


def measure(app, requests, rounds):
    """{kind: (median ms on, median ms off)}: on and off in turns, one request each."""
    listeners = list(writes._on_commit)
    found = {kind: ([], []) for kind in requests}
    for n in range(rounds):
        for kind, function in requests.items():
            on = n % 2 == 0
            writes._on_commit[:] = listeners if on else []
            found[kind][0 if on else 1].append(_cpu_ms(function))
    writes._on_commit[:] = listeners
    return {kind: (statistics.median(on), statistics.median(off), statistics.mean(on),
                   statistics.mean(off)) for kind, (on, off) in found.items()}


HOOKS = ("dependencies/writes.py", "dependencies/clauses.py", "pagecache/serving.py",
         "pagecache/stores/")


def profile(requests, rounds):
    profiler = cProfile.Profile(time.process_time)  # CPU, not wall: the machine is shared
    profiler.enable()
    for _ in range(rounds):
        for function in requests.values():
            function()
    profiler.disable()
    stats = pstats.Stats(profiler)
    transactions = rounds * len(requests)
    print(f"\ncProfile over {transactions} write transactions (bookkeeping on):")
    rows = []
    for (path, line, name), (_cc, calls, own, cumulative, _callers) in stats.stats.items():
        if any(hook in path for hook in HOOKS):
            rows.append((cumulative, own, calls, f"{Path(path).parent.name}/{Path(path).name}"
                                                 f":{line} {name}"))
    for cumulative, own, calls, where in sorted(rows, reverse=True)[:25]:
        print(f"  {1000 * cumulative / transactions:7.3f} ms cum  "
              f"{1000 * own / transactions:7.3f} ms own  {calls / transactions:5.1f} calls  {where}")
    stats.print_callees(r"_after_cursor_execute|take_keys")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL (a scratch database beside it)")
    parser.add_argument("--cache-url", default="", help="page store (default: the SQLite file)")
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="writecost-"))
    admin = None
    if args.database_url:
        admin, name, url = _scratch_pg(args.database_url)
    else:
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    try:
        app = build_app(url, folder, CACHE_URL=args.cache_url or f"file://{folder}/pages.sqlite3",
                        PAGE_CACHE_LIVE_SECONDS=5, SEARCH_DRAIN_AFTER_REQUEST=False)
        started = time.monotonic()
        world = _world(app, args.rounds + 10)
        print(f"{make_url(url).get_backend_name()}, page store "
              f"{args.cache_url or 'SQLite file'}: world in {time.monotonic() - started:.0f} s")
        requests = _requests(app, *world)
        for function in requests.values():  # warm: compiled caches, the token's last use
            for _ in range(5):
                function()
        if args.profile:
            profile(requests, args.rounds)
        else:
            print(f"{'transaction':<10} {'on p50':>8} {'off p50':>8} {'diff':>7} "
                  f"{'on mean':>8} {'off mean':>8} {'diff':>7}   CPU ms, {args.rounds} rounds")
            for kind, (on, off, on_mean, off_mean) in measure(app, requests, args.rounds).items():
                print(f"{kind:<10} {on:8.2f} {off:8.2f} {on - off:7.2f} "
                      f"{on_mean:8.2f} {off_mean:8.2f} {on_mean - off_mean:7.2f}")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
