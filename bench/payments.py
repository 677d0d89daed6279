# ruff: noqa: E402  (the sys.path fix below must run before the other imports)
"""Payments under load (issue 22): checkouts and webhooks per second through gunicorn.

    .venv/bin/python bench/payments.py                       # a fresh SQLite file
    .venv/bin/python bench/payments.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_pay
    .venv/bin/python bench/payments.py --profile             # and cProfile in-process

A fresh database (bench/.data/payments.sqlite3, or --database-url, whose schema is
emptied), migrated, then seeded through the services: a "full" campaign with a cap of a
million units and --buyers fans with API tokens and an address each. The app runs under
gunicorn with 4 sync workers. Then:

- checkout: for each --clients count, closed-loop clients for --seconds (after a warm-up)
  each check out as a client does: one POST /api/v1/campaigns/<id>/preorders (a fresh
  Idempotency-Key) naming the buyer's address, which places the pre-order and starts its
  payment (the answer's started_payment has the gateway's checkout link). With
  --two-calls, the older way: place it, then POST /api/v1/preorders/<id>/pay; one
  checkout is then the pair, its p50/p99 the pair's. Afterwards every order answered must
  be there, with one payment, its checkout link and a charge at the gateway.
- webhooks: every order placed gets a signed dummy-gateway webhook reporting its capture
  (built beforehand, the gateway's books updated to match), POSTed once each to
  /payments/webhooks/dummy by --clients clients. Afterwards every webhook must have its
  receipt and ledger row and every order be paid.

The issue's targets (SQLite, 4 workers): checkout >= 300/s, webhooks >= 500/s.
--profile then runs --profile-requests checkouts and webhooks in-process under cProfile
and prints the top functions of each.
"""

import sys
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

import argparse
import cProfile
import http.client
import io
import json
import os
import pstats
import threading
import time
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select, update

from bench.common import DATA, PASSWORD, machine, make_app, server_env, warm_file_cache
from bench.search_analyzer_probe import pct
from bench.seed_db import add_unmigrated_tables, create_database_if_missing, fresh_database, migrate
from bench.servers import app_server

SECRET = "whsec_bench_payments"
PRICE = 19900
ADDRESS = {"recipient": "王小明", "phone": "13800138000", "country": "CN", "region": "北京市",
           "city": "北京市", "district": "海淀区", "street": "清华园1号", "postal_code": "100084"}


def seed(url, buyers):
    """The campaign and the buyers' tokens, through the services."""
    from community.accounts import service as accounts
    from community.accounts import tokens
    from community.forum import boards
    from community.forum import service as forum
    from community.kernel.database import transaction, utcnow
    from community.kernel.extensions import db
    from products.addresses import service as addresses
    from products.campaigns import service as campaigns
    from products.catalog.models import Product

    app = make_app(url, PAYMENTS_DUMMY_WEBHOOK_SECRET=SECRET)
    with app.app_context():
        added = add_unmigrated_tables(db)
        if added:
            print(f"  tables without a migration, created from the models: {', '.join(added)}")
        staff = accounts.register("paystaff", "paystaff@example.com", PASSWORD, role="staff",
                                  verified=True)
        board = boards.create_board("Payments bench", "payments-bench", "The bench's board.")
        with transaction():
            thread = forum.add_thread(board.id, staff, "Bench product", "Join us.",
                                              kind="product")
            product = Product(slug="bench-product", name="Bench product", board_id=board.id,
                              thread_id=thread.id, created_by_id=staff.id)
            db.session.add(product)
        now = utcnow()
        campaign = campaigns.create_campaign(
            product, staff, 10, 1_000_000, now - timedelta(hours=1), now + timedelta(days=7),
            100_000, [{"name": "Standard", "price_cents": PRICE, "currency": "CNY"}],
            charge_mode="full")
        campaigns.publish(campaign.id, staff)
        campaign = campaigns.get_campaign(campaign.id)
        start = time.monotonic()
        shoppers = []  # (token, address id)
        for i in range(buyers):
            fan = accounts.register(f"payfan{i}", f"payfan{i}@example.com", PASSWORD, verified=True)
            shoppers.append((tokens.create_token(fan, "bench")[1],
                             addresses.add_address(fan, ADDRESS, make_default=True).id))
        # Tokens in use write last_used_at once an hour: not in the timed runs.
        with transaction():
            db.session.execute(update(tokens.ApiToken).values(last_used_at=utcnow()))
        print(f"  seeded a campaign and {buyers} buyers with tokens in {time.monotonic() - start:.1f}s")
        return {"campaign": campaign.id, "tier": campaign.tiers[0].id, "shoppers": shoppers}


def _percentiles(latencies):
    """p50 and p99 in ms (search_analyzer_probe.pct, as the other benches take them)."""
    return tuple(1000 * pct(latencies, p) if latencies else 0.0 for p in (50, 99))


def _clients(base, clients, seconds, step):
    """Closed loop: step(conn, client, n) -> (ok, record) until the deadline. Returns
    (latencies of each step, records, Counter of outcomes, seconds)."""
    parts = urlsplit(base)
    latencies, records, outcomes, lock = [], [], Counter(), threading.Lock()
    deadline = time.monotonic() + seconds

    def client(index):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        n, mine, kept, seen = 0, [], [], Counter()
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                outcome, record = step(conn, index, n)
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                outcome, record = f"error {type(error).__name__}", None
            if outcome is None:
                break
            n += 1
            mine.append(time.perf_counter() - began)
            seen[outcome] += 1
            if record is not None:
                kept.append(record)
        conn.close()
        with lock:
            latencies.extend(mine)
            records.extend(kept)
            outcomes.update(seen)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, records, outcomes, time.monotonic() - began


def _post(conn, path, body, headers):
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def checkout_step(ids, run, two_calls=False):
    shoppers = ids["shoppers"]

    def step(conn, client, n):
        token, address_id = shoppers[(client * 7919 + n) % len(shoppers)]
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        order = {"tier": ids["tier"], "quantity": 1}
        if not two_calls:
            order["address_id"] = address_id
        status, body = _post(conn, f"/api/v1/campaigns/{ids['campaign']}/preorders",
                             json.dumps(order), {**auth, "Idempotency-Key": f"{run}-{client}-{n}"})
        if status != 201:
            return f"place {status}", None
        placed = json.loads(body)
        if not two_calls:
            started = placed["started_payment"]
            return ("ok", (placed["id"], started["checkout_url"])) if started else \
                ("no payment", (placed["id"], None))
        status, body = _post(conn, f"/api/v1/preorders/{placed['id']}/pay",
                             json.dumps({"address_id": address_id}), auth)
        if status != 200:
            return f"pay {status}", (placed["id"], None)
        return "ok", (placed["id"], json.loads(body)["checkout_url"])

    return step


def check_checkouts(url, campaign_id, records):
    """Every 201 an order, every 200 a payment with its link and a charge at the gateway."""
    from community.kernel.extensions import db
    from products.campaigns.models import Campaign
    from products.orders.models import Order
    from products.payments.models import Payment
    from products.payments.providers.dummy import DummyCharge

    app = make_app(url, PAYMENTS_DUMMY_WEBHOOK_SECRET=SECRET)
    with app.app_context():
        placed = {order_id for order_id, _link in records}
        orders = set(db.session.scalars(select(Order.id).where(Order.campaign_id == campaign_id)))
        payments = db.session.execute(select(Payment.order_id, Payment.ref, Payment.checkout_url)).all()
        by_order = Counter(p.order_id for p in payments)
        charges = db.session.scalar(select(func.count()).select_from(DummyCharge))
        campaign = db.session.get(Campaign, campaign_id)
        problems = []
        if placed - orders:
            problems.append(f"{len(placed - orders)} orders answered 201 are missing")
        if orders - placed:
            problems.append(f"{len(orders - placed)} orders nobody was answered for")
        paid_for = {order_id for order_id, link in records if link}
        if any(by_order[o] != 1 for o in paid_for):
            problems.append("an order answered a checkout link has no payment, or several")
        unshipped = db.session.scalar(select(func.count()).select_from(Order).where(
            Order.id.in_(paid_for), Order.ship_name.is_(None))) if paid_for else 0
        if unshipped:
            problems.append(f"{unshipped} orders paid for without their copy of the address")
        if any(p.ref is None or not p.checkout_url for p in payments):
            problems.append("a payment without its provider ref or link")
        if charges != len(payments):
            problems.append(f"{charges} gateway charges for {len(payments)} payments")
        if campaign.reserved_units != len(orders):
            problems.append(f"reserved_units {campaign.reserved_units} != {len(orders)} orders")
        return problems


def build_webhooks(url, order_ids):
    """A signed capture webhook per order; the gateway's books say the same."""
    from community.kernel.database import transaction
    from community.kernel.extensions import db
    from products.payments.models import Payment
    from products.payments.providers.base import Event
    from products.payments.providers.dummy import DummyCharge, DummyProvider

    app = make_app(url, PAYMENTS_DUMMY_WEBHOOK_SECRET=SECRET)
    signer = DummyProvider(SECRET)
    with app.app_context():
        rows = db.session.execute(select(Payment.ref, Payment.amount_cents, Payment.currency)
                                  .where(Payment.order_id.in_(order_ids))).all()
        with transaction():
            db.session.execute(update(DummyCharge).where(DummyCharge.ref.in_([r.ref for r in rows]))
                               .values(status="succeeded", captured_cents=DummyCharge.amount_cents))
    return [signer.notification([Event(f"capture:{r.ref}", r.ref, "captured", r.amount_cents,
                                       r.currency, "succeeded")]) for r in rows]


def webhook_step(hooks):
    supply, lock = iter(hooks), threading.Lock()

    def step(conn, _client, _n):
        with lock:
            hook = next(supply, None)
        if hook is None:
            return None, None
        body, headers = hook
        status, answer = _post(conn, "/payments/webhooks/dummy", body,
                               {**headers, "Content-Type": "application/json"})
        return (json.loads(answer)["received"] if status == 200 else f"webhook {status}"), None

    return step


def check_webhooks(url, campaign_id, sent):
    from community.kernel.extensions import db
    from products.orders.models import Order
    from products.payments.models import LedgerEntry, WebhookReceipt

    app = make_app(url, PAYMENTS_DUMMY_WEBHOOK_SECRET=SECRET)
    with app.app_context():
        receipts = db.session.scalar(select(func.count()).select_from(WebhookReceipt))
        rows = db.session.scalar(select(func.count()).select_from(LedgerEntry)
                                 .where(LedgerEntry.kind == "captured"))
        paid = db.session.scalar(select(func.count()).select_from(Order).where(
            Order.campaign_id == campaign_id, Order.payment_status == "paid"))
        return [f"{name} {n} != {sent} webhooks sent"
                for name, n in (("receipts", receipts), ("ledger rows", rows), ("paid orders", paid))
                if n != sent]


def profile(url, ids, count, two_calls=False):
    """cProfile in-process: `count` checkouts, then `count` webhooks; the top costs."""
    app = make_app(url, PAYMENTS_DUMMY_WEBHOOK_SECRET=SECRET)
    client = app.test_client()
    token, address_id = ids["shoppers"][0]
    auth = {"Authorization": f"Bearer {token}"}
    order_ids = []

    def checkouts():
        for n in range(count):
            order = {"tier": ids["tier"], "quantity": 1}
            if not two_calls:
                order["address_id"] = address_id
            answer = client.post(f"/api/v1/campaigns/{ids['campaign']}/preorders", json=order,
                                 headers={**auth, "Idempotency-Key": f"profile-{time.time()}-{n}"})
            order_ids.append(answer.get_json()["id"])
            if two_calls:
                assert client.post(f"/api/v1/preorders/{order_ids[-1]}/pay", headers=auth,
                                   json={"address_id": address_id}).status_code == 200
            else:
                assert answer.get_json()["started_payment"]["checkout_url"]

    checkout_name = "checkout (place, then pay)" if two_calls else "checkout (one call)"
    for name, work in ((checkout_name, checkouts), ("webhook", None)):
        if work is None:
            hooks = build_webhooks(url, order_ids)

            def work(hooks=hooks):
                for body, headers in hooks:
                    assert client.post("/payments/webhooks/dummy", data=body, headers=headers,
                                       content_type="application/json").status_code == 200
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        work()
        profiler.disable()
        elapsed = time.perf_counter() - began
        print(f"\n=== {name}: {count} in {elapsed:.2f}s in-process, {1000 * elapsed / count:.1f} ms each"
              " (under cProfile) ===")
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        # The app's own functions by time spent in them and what they call, then the
        # hottest functions anywhere (SQLAlchemy, the driver, Jinja...).
        stats.sort_stats("cumulative").print_stats(r"/(products|community)/", 30)
        stats.sort_stats("tottime").print_stats(15)
        print(out.getvalue().replace(str(_BENCH.parent) + "/", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL URL (its schema is emptied); default: a fresh SQLite file")
    parser.add_argument("--buyers", type=int, default=400)
    parser.add_argument("--clients", default="16,32", help="client counts, one run each")
    parser.add_argument("--seconds", type=float, default=8.0, help="each checkout run")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--two-calls", action="store_true",
                        help="check out the older way: place, then POST .../pay")
    parser.add_argument("--profile", action="store_true", help="then cProfile in-process")
    parser.add_argument("--profile-requests", type=int, default=200)
    args = parser.parse_args()

    url = args.database_url or f"sqlite:///{DATA / 'payments.sqlite3'}"
    print(f"payments bench on {url.split('@')[-1]}; machine: {json.dumps(machine())}")
    create_database_if_missing(url)
    fresh_database(url, reset=True)
    migrate(url)
    ids = seed(url, args.buyers)
    env = server_env(url)
    env.update({"FANFORGE_PAYMENTS_DUMMY_WEBHOOK_SECRET": SECRET,
                "FANFORGE_QUEUE_URL": "memory://", "FANFORGE_MAIL_BACKEND": "locmem"})
    warm_file_cache(url)
    results, all_records = [], []
    with app_server(env, workers=args.workers, name="payments") as server:
        base = server.start()
        clients = [int(c) for c in args.clients.split(",")]
        for count in clients:
            all_records += _clients(base, count, args.warmup,
                                    checkout_step(ids, f"warm{count}", args.two_calls))[1]
            cpu = server.cpu_seconds()
            latencies, records, outcomes, elapsed = _clients(
                base, count, args.seconds, checkout_step(ids, f"run{count}", args.two_calls))
            cpu_ms = 1000 * (server.cpu_seconds() - cpu) / max(len(latencies), 1)
            all_records += records
            p50, p99 = _percentiles(latencies)
            results.append(("checkout", count, outcomes["ok"] / elapsed, p50, p99, cpu_ms,
                            dict(outcomes)))
        # Every order answered (warm-ups too) must be there, and gets its webhook.
        problems = check_checkouts(url, ids["campaign"], all_records)
        hooks = build_webhooks(url, [order_id for order_id, link in all_records if link])
        share = len(hooks) // len(clients)
        sent = 0
        for i, count in enumerate(clients):
            batch = hooks[i * share:(i + 1) * share] if i < len(clients) - 1 else hooks[i * share:]
            cpu = server.cpu_seconds()
            latencies, _records, outcomes, elapsed = _clients(base, count, 3600, webhook_step(batch))
            cpu_ms = 1000 * (server.cpu_seconds() - cpu) / max(len(latencies), 1)
            sent += len(batch)
            p50, p99 = _percentiles(latencies)
            results.append(("webhook", count, len(latencies) / elapsed, p50, p99, cpu_ms,
                            dict(outcomes)))
        problems += check_webhooks(url, ids["campaign"], sent)
    # Server CPU per checkout (one request; two with --two-calls) or webhook, all workers:
    # it hardly depends on what else the machine runs, unlike the rate.
    print(f"\n{'what':<10} {'clients':>7} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'cpu ms':>7}  outcomes")
    targets = {"checkout": 300, "webhook": 500}
    for what, count, rate, p50, p99, cpu_ms, outcomes in results:
        mark = "" if rate >= targets[what] else f"  (target {targets[what]}/s)"
        print(f"{what:<10} {count:>7} {rate:>8.1f} {p50:>8.1f} {p99:>8.1f} {cpu_ms:>7.1f}  "
              f"{outcomes}{mark}")
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("checks: " + ("nothing lost" if not problems else "; ".join(problems)))
    if args.profile:
        profile(url, ids, args.profile_requests, args.two_calls)
    return 1 if problems else 0


if __name__ == "__main__":
    os.environ.setdefault("FANFORGE_QUEUE_URL", "memory://")
    sys.exit(main())
