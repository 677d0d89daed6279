"""Seeded store rows: products grown from popular ideas, their participation threads,
co-creators, stages, polls, campaigns with tiers and F-codes, and pre-orders.

Counters follow the rows as the services keep them: products.cocreator_count,
campaigns.reserved_units and backer_count, tiers.reserved_units and
campaign_buyers.units count every order except those the buyer cancelled (a settled
failure keeps its counters as pledged), polls and options count their votes.
"""

from collections import defaultdict
from datetime import timedelta

from community.forum.models import Post, Thread
from products.campaigns.models import Campaign, CampaignBuyer, FCode, Tier
from products.catalog.models import (
    CoCreator,
    Poll,
    PollOption,
    PollVote,
    Product,
    ProductIdea,
    StageChange,
)
from products.orders.models import Order
from products.orders.service import request_digest

from .seed_community import STAFF
from .seed_text import PRODUCTS_EN, PRODUCTS_ZH

STATES = ["live", "succeeded", "failed", "live", "draft", "succeeded", "live", "cancelled",
          "live", "succeeded", "scheduled", "live", "succeeded", "failed", "live", "succeeded",
          "draft", "live", "succeeded", "live"]
PATHS = {  # stages a product went through, by the state of its campaign
    "live": ["concept", "co_creation", "preorder"], "scheduled": ["concept", "preorder"],
    "succeeded": ["concept", "co_creation", "preorder", "in_production"],
    "failed": ["concept", "co_creation", "preorder", "co_creation"],
    "cancelled": ["concept", "preorder", "co_creation"], "draft": ["concept", "co_creation"],
    None: ["concept"],
}
NO_CAMPAIGN = [["concept"], ["concept", "co_creation"], ["concept", "shipped"],
               ["concept", "co_creation", "cancelled"]]


def seed_store(w, rng, plan, now, ideas, next_thread, next_post, render):
    """Returns what http.py needs: the bench product's slug, its campaign and tier."""
    n_products, n_users = plan["products"], plan["users"]
    popular = sorted((i for i in ideas if i.status != "merged" and not i.thread.hidden),
                     key=lambda i: -i.votes)
    by_board, products, threads, posts = defaultdict(list), [], [], []
    for idea in popular:
        by_board[idea.thread.board_id].append(idea)
    boards = sorted(by_board, key=lambda b: -len(by_board[b]))
    links, cocreators = [], []
    for n in range(n_products):
        board = boards[n % len(boards)]
        origin = [by_board[board].pop(0) for _ in range(min(rng.choice((1, 1, 2, 3)),
                                                           len(by_board[board])))] or []
        if not origin:
            continue
        k = n % len(PRODUCTS_EN)
        created = now - timedelta(days=rng.uniform(60, 200))
        pid, tid = len(products) + 1, next_thread + len(products)
        intro = f"{PRODUCTS_ZH[k]}来自社区的创意。This product grew from these ideas:\n\n" + \
            "\n".join(f"- [#{i.id} {i.thread.title}](/ideas/{i.id})" for i in origin)
        replies = rng.randrange(0, 40)
        threads.append({"id": tid, "board_id": board, "author_id": STAFF[0], "kind": "product",
                        "listed": True, "title": f"Forge {PRODUCTS_EN[k].title()} {pid}",
                        "created_at": created,
                        "last_post_at": now - timedelta(hours=1) if replies else created,
                        "reply_count": replies, "pinned": False, "locked": False, "hidden": False})
        posts.append((created, tid, 0, STAFF[0], intro, render(intro)))
        for position in range(1, replies + 1):
            posts.append((now - timedelta(hours=replies - position + 1), tid, position,
                          7 + rng.randrange(n_users - 7), "期待！Count me in.",
                          "<p>期待！Count me in.</p>\n"))
        proposers = list(dict.fromkeys(i.thread.author_id for i in origin))
        joined = rng.sample([u for u in range(7, n_users + 1) if u not in proposers],
                            min(n_users // 3, int(rng.lognormvariate(4.3, 0.8))))
        for user in proposers:
            cocreators.append({"product_id": pid, "user_id": user, "source": "proposer",
                               "created_at": created})
        for user in joined:
            cocreators.append({"product_id": pid, "user_id": user, "source": "participant",
                               "created_at": created + (now - created) * rng.random()})
        links += [{"product_id": pid, "idea_id": i.id} for i in origin]
        products.append({"id": pid, "slug": f"forge-{PRODUCTS_EN[k].replace(' ', '-').lower()}-{pid}",
                         "name": f"Forge {PRODUCTS_EN[k].title()} {pid} {PRODUCTS_ZH[k]}",
                         "summary": f"{PRODUCTS_ZH[k]}，社区共创。A {PRODUCTS_EN[k]} co-created "
                                    "with the community.",
                         "description": intro, "description_html": render(intro),
                         "board_id": board, "thread_id": tid, "stage": "concept",
                         "created_by_id": STAFF[0], "created_at": created,
                         "stage_changed_at": created,
                         "cocreator_count": len(proposers) + len(joined),
                         "view_count": rng.randrange(100, 50_000)})
    w.insert(Thread, threads, len(threads), "threads (products)")
    posts.sort()
    w.insert(Post, ({"id": next_post + n, "thread_id": t, "author_id": a, "position": p,
                     "body": b, "body_html": h, "created_at": c, "like_count": 0, "hidden": False}
                    for n, (c, t, p, a, b, h) in enumerate(posts)), len(posts), "posts (products)")
    members = defaultdict(list)
    for row in cocreators:
        members[row["product_id"]].append(row["user_id"])
    campaigns = _campaign_plan(rng, plan, now, products)
    stages = _stages(rng, now, products, campaigns)
    w.insert(Product, products, len(products))
    w.insert(StageChange, stages, len(stages), "product_stage_changes")
    w.insert(ProductIdea, links, len(links))
    w.insert(CoCreator, cocreators, len(cocreators))
    _polls(w, rng, now, products, members)
    return _campaigns(w, rng, plan, now, products, campaigns, members)


def _referrer(rng, buyer, n_users):
    """One order in ten came through another fan's referral link (never one's own)."""
    referrer = rng.randrange(7, n_users + 1)
    return referrer if rng.random() < 0.1 and referrer != buyer else None


def _campaign_plan(rng, plan, now, products):
    plans = []
    for n, state in enumerate(STATES[: min(plan["campaigns"], len(products))]):
        product = products[n]
        if state in ("live", "draft", "scheduled"):
            starts = now + timedelta(days=5 if state != "live" else -rng.uniform(3, 20))
            ends = starts + timedelta(days=rng.uniform(20, 40))
        else:
            starts = now - timedelta(days=rng.uniform(60, 120))
            ends = starts + timedelta(days=30)
        plans.append({"state": state, "product": product, "starts": starts, "ends": ends})
    return plans


def _stages(rng, now, products, campaigns):
    """Timeline rows along each product's path; leaves the product at its last stage."""
    state_of = {c["product"]["id"]: c["state"] for c in campaigns}
    rows = []
    for product in products:
        path = PATHS[state_of[product["id"]]] if product["id"] in state_of \
            else NO_CAMPAIGN[product["id"] % len(NO_CAMPAIGN)]
        moment, before = product["created_at"], None
        for stage in path:
            rows.append({"product_id": product["id"], "actor_id": STAFF[0], "from_stage": before,
                         "to_stage": stage, "note": "", "created_at": moment})
            before, product["stage"], product["stage_changed_at"] = stage, stage, moment
            moment += (now - moment) * rng.uniform(0.1, 0.3)
    return rows


def _polls(w, rng, now, products, members):
    polls, options, votes = [], [], []
    for product in (p for p in products if p["stage"] in ("co_creation", "preorder")):
        poll_id = len(polls) + 1
        closed = product["stage"] == "preorder"
        choices = [(len(options) + k + 1, label) for k, label in
                   enumerate(["曜石黑 Black", "珊瑚橙 Coral", "薄荷绿 Mint"])]
        tally = defaultdict(int)
        for user in rng.sample(members[product["id"]], len(members[product["id"]]) // 2):
            option = rng.choice(choices)[0]
            tally[option] += 1
            votes.append({"poll_id": poll_id, "user_id": user, "option_id": option,
                          "created_at": now - timedelta(days=rng.uniform(1, 20))})
        options += [{"id": oid, "poll_id": poll_id, "label": label, "position": k,
                     "votes": tally[oid]} for k, (oid, label) in enumerate(choices)]
        polls.append({"id": poll_id, "product_id": product["id"], "question": "颜色 Colour?",
                      "ends_at": now + timedelta(days=-2 if closed else 3),
                      "created_by_id": STAFF[0], "created_at": now - timedelta(days=25),
                      "vote_count": sum(tally.values()), "decision": "Coral." if closed else ""})
    w.insert(Poll, polls, len(polls))
    w.insert(PollOption, options, len(options))
    w.insert(PollVote, votes, len(votes))


def _campaigns(w, rng, plan, now, products, campaigns, members):
    n_users, orders, f_codes, tiers, rows, buyers = plan["users"], [], [], [], [], []
    live = [c for c in campaigns if c["state"] == "live"]
    bench = live[0] if live else None
    weights = [4 if c["state"] == "live" else 2 if c["state"] != "draft" and
               c["state"] != "scheduled" else 0 for c in campaigns]
    share = [int(plan["orders"] * x / max(sum(weights), 1)) for x in weights]
    codes = set()
    for cid, (campaign, n_orders) in enumerate(zip(campaigns, share, strict=True), start=1):
        state = campaign["state"]
        limit = 20 if campaign is bench else 5
        first_tier = len(tiers) + 1
        names = [("首发 Founders", 19900), ("标准 Standard", 22900), ("礼盒 Gift box", 29900)]
        for k, (name, price) in enumerate(names[: 1 + cid % 3]):
            tiers.append({"id": first_tier + k, "campaign_id": cid, "name": name,
                          "price_cents": price, "currency": "CNY", "limit_units": None,
                          "reserved_units": 0, "position": k,
                          "early_until": campaign["starts"] + timedelta(days=2) if k == 0 and
                          len(names[: 1 + cid % 3]) > 1 else None})
        my_tiers = tiers[first_tier - 1:]
        if state != "draft":
            for user in members[campaign["product"]["id"]]:
                code = f"{rng.getrandbits(40):010X}"
                while code in codes:
                    code = f"{rng.getrandbits(40):010X}"
                codes.add(code)
                f_codes.append({"campaign_id": cid, "user_id": user, "code": code,
                                "reason": "Co-creator", "created_at": campaign["starts"]})
        opens = max(campaign["starts"], *(t["early_until"] or campaign["starts"] for t in my_tiers))
        closes = min(campaign["ends"], now)
        held, reserved, backers = defaultdict(int), 0, 0
        for buyer in rng.sample(range(7, n_users + 1), min(n_orders, n_users - 7)):
            tier = rng.choice(my_tiers)
            quantity = rng.choices((1, 2, 3), (70, 20, 10))[0]
            moment = opens + (closes - opens) * rng.random()
            by_buyer = state == "live" and rng.random() < 0.04
            order_state = {"live": "reserved", "succeeded": "confirmed"}.get(state, "cancelled")
            oid = len(orders) + 1
            orders.append({
                "id": oid, "campaign_id": cid, "tier_id": tier["id"], "buyer_id": buyer,
                "quantity": quantity, "unit_price_cents": tier["price_cents"], "currency": "CNY",
                "state": "cancelled" if by_buyer else order_state, "idempotency_key": f"seed-{oid}",
                "request_digest": request_digest(cid, tier["id"], quantity, None, None),
                "referrer_id": _referrer(rng, buyer, n_users),
                "source_kind": rng.choice(("product", "thread", "idea", "api")),
                "created_at": moment, "confirmed_at": campaign["ends"] if state == "succeeded"
                else None, "cancelled_at": moment + timedelta(hours=2) if by_buyer
                else (campaign["ends"] if order_state == "cancelled" else None),
                "cancel_reason": "buyer" if by_buyer else {"failed": "campaign_failed",
                                                           "cancelled": "campaign_cancelled"}.get(state)})
            units = 0 if by_buyer else quantity
            held[buyer] += units
            if not by_buyer:
                tier["reserved_units"] += units
                reserved, backers = reserved + units, backers + 1
        goal = {"succeeded": max(1, reserved // 2), "failed": reserved * 2 + 10}.get(state, 1000)
        rows.append({"id": cid, "product_id": campaign["product"]["id"], "goal_units": goal,
                     "cap_units": 10_000_000 if campaign is bench else max(goal, reserved) * 2,
                     "reserved_units": reserved, "backer_count": backers,
                     "starts_at": campaign["starts"], "ends_at": campaign["ends"],
                     "per_buyer_limit": limit, "state": state, "created_by_id": STAFF[0],
                     "created_at": campaign["starts"] - timedelta(days=3),
                     "published_at": None if state == "draft" else campaign["starts"],
                     "settled_at": campaign["ends"] if state in ("succeeded", "failed", "cancelled")
                     else None})
        buyers += [{"campaign_id": cid, "user_id": b, "units": u} for b, u in held.items()]
    w.insert(Campaign, rows, len(rows))
    w.insert(Tier, tiers, len(tiers))
    w.insert(FCode, f_codes, len(f_codes))
    w.insert(CampaignBuyer, buyers, len(buyers), "campaign_buyers")
    w.insert(Order, orders, len(orders))
    if bench is None:
        return {}
    cid = campaigns.index(bench) + 1
    tier = next(t for t in tiers if t["campaign_id"] == cid and t["early_until"] is None)
    return {"product_slug": bench["product"]["slug"], "campaign_id": cid, "tier_id": tier["id"]}
