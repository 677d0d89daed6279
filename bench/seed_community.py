"""Seeded community rows: users, boards, tags, threads and posts, and likes.

Everything derived is computed here as the services would store it: posts.position
(0 is the opening post), threads.reply_count and last_post_at, posts.like_count.
Board counters are filled by SQL at the end (seed.py), once product threads exist too.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from community.accounts.models import User
from community.accounts.names import skeleton
from community.forum.models import Board, Post, PostLike, Thread
from community.ideas.models import Tag

from .seed_text import BOARDS, idea_title, thread_title, username

TAG_NAMES = ["续航 Battery", "屏幕 Screen", "App", "Design 外观", "价格 Price", "配件 Accessories"]
BOARD_WEIGHTS = [25, 18, 14, 11, 9, 7, 6, 5, 3, 2, 2, 1]
STAFF = range(2, 7)  # user 1 is the admin, 2-6 staff, the rest fans


@dataclass
class ThreadPlan:
    id: int
    board_id: int
    author_id: int
    kind: str
    created_at: object
    title: str
    replies: int = 0
    hidden: bool = False
    locked: bool = False
    pinned: bool = False
    last_post_at: object = None
    reply_times: list = field(default_factory=list)


def spread(rng, total, n, sigma, cap):
    """n integers summing to about `total`, heavy-tailed (lognormal weights), each <= cap."""
    weights = [rng.lognormvariate(0, sigma) for _ in range(n)]
    scale = total / sum(weights)
    counts = [min(cap, int(w * scale)) for w in weights]
    short = total - sum(counts)
    while short > 0:
        i = rng.randrange(n)
        if counts[i] < cap:
            counts[i] += 1
            short -= 1
    return counts


def author(rng, n_users):
    """Skewed to early members: a few people write much of a community."""
    return 7 + int((n_users - 7) * rng.random() ** 2)


def users(w, rng, plan, now, password_hash):
    n = plan["users"]
    start, step = now - timedelta(days=730), timedelta(days=700) / n

    # Accounts confirm their address when the model knows about it (3% never did).
    verified = "email_verified_at" in User.__table__.c

    skeletons = set()

    def unique_skeleton(name, uid):  # random names may look alike (m and rn)
        value = skeleton(name)
        value = f"{value}#{uid}" if value in skeletons else value
        skeletons.add(value)
        return value

    def rows():
        for uid in range(1, n + 1):
            name, joined = username(rng, uid), start + step * uid
            row = {"id": uid, "username": name, "username_key": name.lower(),
                   "username_skeleton": unique_skeleton(name, uid),
                   "email": f"user{uid}@bench.example", "password_hash": password_hash,
                   "role": "admin" if uid == 1 else "staff" if uid in STAFF else "fan",
                   "locale": "en" if uid % 3 == 0 else "zh", "created_at": joined,
                   "auth_version": 1, "points": 0}
            if verified:
                row["email_verified_at"] = joined if uid < 2500 or rng.random() > 0.03 else None
            yield row

    w.insert(User, rows(), n)


def boards(w, plan, now):
    count = plan["boards"]
    rows = []
    for i in range(count):
        slug, name = BOARDS[i % len(BOARDS)]
        slug = slug if i < len(BOARDS) else f"{slug}-{i}"
        rows.append({"id": i + 1, "slug": slug, "name": name, "position": i + 1,
                     "description": f"{name}：功能建议、使用心得。Ideas and reviews.",
                     "created_at": now - timedelta(days=740), "thread_count": 0, "post_count": 0})
    w.insert(Board, rows, len(rows))
    tags = [{"id": b * len(TAG_NAMES) + k + 1, "board_id": b + 1, "name": name}
            for b in range(count) for k, name in enumerate(TAG_NAMES)]
    w.insert(Tag, tags, len(tags))
    return [r["id"] for r in rows], {r["id"]: r["slug"] for r in rows}


def plan_threads(rng, plan, now, board_ids):
    """Idea and discussion threads in time order (ids follow time), with reply counts."""
    n_ideas, n_disc = plan["ideas"], plan["discussions"]
    span = plan["days"] * 86400
    kinds = ["idea"] * n_ideas + ["discussion"] * n_disc
    rng.shuffle(kinds)
    # A growing community: more recent threads than old ones.
    times = sorted(now - timedelta(seconds=span * rng.random() ** 1.5) for _ in kinds)
    weights = BOARD_WEIGHTS[:len(board_ids)]
    threads = []
    for i, (kind, created) in enumerate(zip(kinds, times, strict=True)):
        board = rng.choices(board_ids, weights)[0]
        title = idea_title(rng) if kind == "idea" else thread_title(rng)
        threads.append(ThreadPlan(i + 1, board, author(rng, plan["users"]), kind, created, title))
    counts = spread(rng, plan["replies"], len(threads), 1.3, 2000)
    idea_threads = [t for t in threads if t.kind == "idea"]
    showcase = idea_threads[int(len(idea_threads) * 0.9)]
    for thread, count in zip(threads, counts, strict=True):
        thread.replies = count
    showcase.replies = plan["showcase_replies"]
    for thread in threads:
        if thread.kind == "discussion":
            thread.hidden = rng.random() < 0.005
            thread.locked = rng.random() < 0.01
    for board in board_ids:  # a pinned welcome thread or two per board
        for thread in [t for t in threads if t.kind == "discussion" and t.board_id == board][:2]:
            thread.pinned, thread.hidden = True, False
    return threads, showcase


def reply_times(rng, thread, now):
    age = (now - thread.created_at).total_seconds()
    return sorted(thread.created_at + timedelta(seconds=age * rng.random() ** 2)
                  for _ in range(thread.replies))


def threads_and_posts(w, rng, plan, now, threads, bodies, first_post_id=1):
    """Insert the threads, then every post in time order so ids follow time.

    Returns [(post_id, thread_id, author_id, created_at)] of replies, for likes.
    """
    posts = []
    for thread in threads:
        thread.reply_times = reply_times(rng, thread, now)
        thread.last_post_at = thread.reply_times[-1] if thread.reply_times else thread.created_at
        posts.append((thread.created_at, thread.id, 0, thread.author_id))
        for position, moment in enumerate(thread.reply_times, start=1):
            posts.append((moment, thread.id, position, author(rng, plan["users"])))
        thread.reply_times = []
    w.insert(Thread, ({
        "id": t.id, "board_id": t.board_id, "author_id": t.author_id, "kind": t.kind,
        "listed": t.kind == "discussion" or t.kind == "product", "title": t.title,
        "created_at": t.created_at, "last_post_at": t.last_post_at, "reply_count": t.replies,
        "pinned": t.pinned, "locked": t.locked, "hidden": t.hidden} for t in threads), len(threads))
    posts.sort()
    replies = []

    def rows():
        for offset, (moment, thread_id, position, author_id) in enumerate(posts):
            post_id = first_post_id + offset
            body, html = bodies.draw(rng)
            gone = position > 0 and rng.random() < 0.01
            if position > 0:
                replies.append((post_id, thread_id, author_id, moment))
            yield {"id": post_id, "thread_id": thread_id, "author_id": author_id,
                   "position": position, "body": body, "body_html": html, "created_at": moment,
                   "deleted_at": moment + timedelta(hours=1) if gone else None,
                   "hidden": position > 0 and not gone and rng.random() < 0.002,
                   "like_count": 0}

    w.insert(Post, rows(), len(posts), "posts")
    return replies, first_post_id + len(posts)


def likes(w, rng, plan, now, replies):
    """post_likes, several per reply (distinct users), then posts.like_count from them."""
    from sqlalchemy import bindparam, update

    counts = spread(rng, plan["likes"], len(replies), 1.2, min(300, plan["users"] - 1))
    population = range(1, plan["users"] + 1)
    liked = []

    def rows():
        for (post_id, _thread, _author, moment), k in zip(replies, counts, strict=True):
            if not k:
                continue
            liked.append({"pid": post_id, "n": k})
            age = (now - moment).total_seconds()
            for user_id in rng.sample(population, k):
                yield {"user_id": user_id, "post_id": post_id,
                       "created_at": moment + timedelta(seconds=age * rng.random() ** 3)}

    w.insert(PostLike, rows(), sum(counts))
    stmt = update(Post.__table__).where(Post.__table__.c.id == bindparam("pid")) \
        .values(like_count=bindparam("n"))
    for start in range(0, len(liked), 20_000):
        w.conn.execute(stmt, liked[start:start + 20_000])
    w.conn.commit()
