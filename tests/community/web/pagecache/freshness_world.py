"""What test_freshness.py compares: one world with something on every main page, and two
apps over its database, one serving stored pages (memory://) and one rendering every page
afresh (none), each read by a visitor, a signed-in fan and a staff member, the same
session on both.

The world is built once and saved; each test gets it back as saved (the database copied
back, a copy of the search index, an empty page store) rather than a new world and new
apps, whose first renders compile every template again. Writes go through HTTP with
CSRF on, as a browser sends them.
"""

import re
import shutil
import sqlite3
from datetime import timedelta
from typing import NamedTuple

from helpers import (
    PASSWORD,
    build_app,
    make_board,
    make_campaign,
    make_product,
    make_thread,
    make_user,
)
from servers import csrf_token as page_token
from sqlalchemy import update

from community import search
from community.accounts.models import User
from community.circles import events
from community.circles import service as circles
from community.circles import threads as circle_threads
from community.forum import service as forum
from community.ideas import service as ideas
from community.ideas import statuses
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.messages import service as messages
from community.roadmap import notes as release_notes
from community.rounds import service as rounds
from community.web import templating
from community.web.pagecache import serving
from products.catalog import polls
from products.orders import service as orders

# The signed-in readers (a fan, a staff member); the fans, staff member and admin who write.
READER, STAFF_READER = "mei", "sam"
WRITER, AUTHOR, MEMBER, STAFF, ADMIN = "kai", "lin", "ava", "boss", "root"
WRITERS = (WRITER, AUTHOR, MEMBER, STAFF, ADMIN)


class Page(NamedTuple):
    name: str
    path: str
    members: bool  # signed-in readers share a stored copy per role (else only visitors)
    staff: bool = False  # staff see more of it (hidden posts, open polls' results): read too


def pages(w):
    """Every page a visitor's stored copy is kept of (@public_page) that the main nav
    reaches, by name."""
    circle = f"/circles/{w['circle']}"
    return [
        Page("home", "/", True),
        Page("latest", "/latest", True),
        Page("ideas hot", "/ideas", True, staff=True),
        Page("ideas new", "/ideas?sort=new", True),
        Page("idea", f"/ideas/{w['longer']}", True, staff=True),
        Page("idea voters", f"/ideas/{w['longer']}/voters", True),
        Page("board", "/b/talk", True),
        Page("board ideas", "/b/talk/ideas", True),
        Page("thread", f"/t/{w['thread']}", True, staff=True),
        Page("shipped", "/ideas/shipped", True),
        Page("rounds", "/rounds", True),
        Page("round", f"/rounds/{w['round']}", False),
        Page("products", "/products", True),
        Page("product", f"/products/{w['product']}", True, staff=True),
        Page("product reviews", f"/products/{w['product']}/reviews", True),
        Page("campaign", f"/campaigns/{w['campaign']}", False),
        Page("author profile", f"/u/{AUTHOR}", False),
        Page("writer replies", f"/u/{WRITER}?tab=replies", False),
        Page("leaderboards", "/leaderboards", True),
        Page("search", "/search?q=battery", True),
        Page("roadmap", "/roadmap", True),
        Page("releases", "/releases", True),
        Page("release", f"/releases/{w['note']}", True),
        Page("new ideas feed", "/feeds/ideas/talk.atom", False),
        Page("releases feed", "/feeds/releases.atom", False),
        Page("circles", "/circles", False),
        Page("circle", circle, False),
        Page("circle members", f"{circle}/members", False),
        Page("circle thread", f"{circle}/t/{w['circle_thread']}", False),
        Page("meetup", f"{circle}/events/{w['meetup']}", False),
    ]


def build_world(app):
    """Every page's rows, and the search index drained: ids and slugs by name."""
    with app.app_context():
        db.create_all()
        lin, kai, mei, ava = (make_user(name) for name in (AUTHOR, WRITER, READER, MEMBER))
        boss = make_user(STAFF, role="staff")
        make_user(STAFF_READER, role="staff")
        make_user(ADMIN, role="admin")
        with transaction():  # a level to post everywhere and start a circle
            db.session.execute(update(User).values(points=100))
        lin, kai, mei, ava, boss = (db.session.get(User, u.id, populate_existing=True)
                                    for u in (lin, kai, mei, ava, boss))
        now = utcnow()
        talk = make_board(slug="talk", name="Talk")
        thread = make_thread(talk, lin, title="Battery life on the go",
                             body="How long does your battery last?")
        kai_reply = forum.reply(thread, kai, "Mine lasts a day.")
        mei_reply = forum.reply(thread, mei, "Two days here.")
        forum.set_like(mei_reply, lin, True)
        longer = ideas.propose(talk, lin, "Longer battery", "Please make it last.")
        solar = ideas.propose(talk, ava, "Solar cover", "Charge the battery in the sun.")
        for idea, voter in ((longer, mei), (longer, kai), (solar, mei)):
            ideas.vote(idea.id, voter)
        dark = ideas.propose(talk, lin, "Dark mode", "Easier on the eyes.")
        statuses.change_status(dark.id, boss, "shipped", "Out now.")
        note = release_notes.publish(boss, "Dark mode is here", "Try it **tonight**.", [dark.id])
        spring = make_board(slug="spring", name="Spring")
        live = rounds.create_round(spring, boss, "Spring round", "Which first?",
                                   now - timedelta(hours=1), now + timedelta(days=2))
        cup = ideas.propose(spring, ava, "Cup holder", "For the road.", round_id=live.id)
        ideas.vote(cup.id, lin)
        product = make_product(talk, boss, slug="fan-cooler", cocreators=[lin, kai])
        campaign = make_campaign(product, boss, tiers=[
            {"name": "Standard", "price_cents": 19900, "currency": "CNY"},
            {"name": "Deluxe", "price_cents": 29900, "currency": "CNY"}])
        orders.place_order(campaign.id, mei, campaign.tiers[0].id, 1, "mei-first")
        poll = polls.create_poll(product, boss, "Which colour?", ["Black", "White"],
                                 now + timedelta(days=3))
        polls.vote(poll, lin, poll.options[0].id)
        circle = circles.create_circle(lin, "Night riders", "riders", "We ride at night.",
                                       "interest", None, "open")
        circles.join(circle, ava)
        circle_thread = circle_threads.create_thread(circle, lin, "Route for Friday",
                                                     "Along the river.")
        forum.reply(circle_thread, ava, "I know a short cut.")
        starts = now + timedelta(days=2)
        meetup = events.create_event(circle, lin, "Friday ride", "Come along.", "The bridge",
                                     starts, starts + timedelta(hours=2), 10)
        conversation, _new = messages.start(kai, [READER])
        search.drain()
        return {
            "thread": thread.id, "opening": forum.first_post(thread).id,
            "kai_reply": kai_reply.id, "mei_reply": mei_reply.id, "longer": longer.id,
            "solar": solar.id, "round": live.id, "product": product.slug,
            "product_id": product.id, "campaign": campaign.id, "tier": campaign.tiers[1].id,
            "poll": poll.id, "poll_option": poll.options[1].id, "circle": circle.slug,
            "circle_thread": circle_thread.id, "meetup": meetup.id, "member_id": ava.id,
            "conversation": conversation.id, "note": note.id,
        }


class Site:
    """The two apps over one saved world, the readers of both and the writers."""

    def __init__(self, folder):
        self.folder = folder
        self.database = folder / "world.sqlite3"
        self.saved_database, self.saved_index = folder / "saved.sqlite3", folder / "saved-index"
        self.restores = 0
        config = {"WTF_CSRF_ENABLED": True, "SEARCH_DIR": str(self.saved_index),
                  # Figures that move every second may lag by this much (issue 21): not here.
                  "PAGE_CACHE_LIVE_SECONDS": 0,
                  # Product page views are written in batches every few seconds: a batch
                  # written between two reads of a slow run would make pages stale that no
                  # write of the test touched. Here they are written only when 10**6 pile up.
                  "PRODUCT_VIEWS_FLUSH_SECONDS": 3600, "PRODUCT_VIEWS_FLUSH_AT": 10**6}
        url = f"sqlite:///{self.database}"
        self.stored = build_app(url, folder, CACHE_URL="memory://", **config)
        self.fresh = build_app(url, folder, CACHE_URL="none", **config)
        self.world = build_world(self.stored)
        self.pages = pages(self.world)
        fan, staff = sign_in(self.stored, READER), sign_in(self.stored, STAFF_READER)
        # Each reader of the stored pages, and the same reader (same session) of fresh ones.
        self.readers = {"visitor": (self.stored.test_client(), self.fresh.test_client()),
                        "fan": (fan, twin(self.fresh, fan)),
                        "staff": (staff, twin(self.fresh, staff))}
        self.writers = {name: sign_in(self.stored, name) for name in WRITERS}
        self.tokens = {name: csrf_token(client) for name, client in self.writers.items()}
        self._dispose()
        _copy_database(self.database, self.saved_database)

    def restore(self):
        """The world as saved: its rows, its index, and no page stored from before."""
        self._dispose()
        _copy_database(self.saved_database, self.database)
        self.restores += 1
        index = self.folder / f"index-{self.restores}"
        shutil.copytree(self.saved_index, index)
        for app in (self.stored, self.fresh):
            app.config["SEARCH_DIR"] = str(index)
        # An empty store: nothing kept from before, whatever the cache keys pages by.
        self.stored.extensions[serving.EXTENSION] = serving.build_cache(self.stored)

    def _dispose(self):
        for app in (self.stored, self.fresh):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

    def post(self, writer, path, **data):
        """A form sent by `writer` as a browser sends it; it must not come back refused."""
        client = self.writers[writer]
        answer = client.post(path, data={"csrf_token": self.tokens[writer], **data})
        assert answer.status_code == 302, (path, answer.status_code)
        with client.session_transaction() as session:
            refused = [text for kind, text in session.pop("_flashes", []) if kind == "error"]
        assert refused == [], (path, refused)
        return answer


def _copy_database(source, target):
    """A consistent copy through SQLite (the database runs in WAL mode)."""
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()


def csrf_token(client, path="/settings"):
    """The CSRF token a browser would send from a page of `path`."""
    # None with CSRF off (WTF_CSRF_ENABLED): no visitor's form has one then.
    return page_token(client.get(path).get_data(as_text=True)) or ""


def sign_in(app, name):
    client = app.test_client()
    token = csrf_token(client, "/login")
    answer = client.post("/login", data={"login": name, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def forget_drawn():
    """Empty the per-process memos of drawn HTML (templating.drawn_memo): the stored and
    the fresh app share this process, so a fresh render drawn from a warm memo would
    repeat a stale entry instead of showing it up."""
    templating.forget_drawn()


def twin(app, client):
    """A client of `app` with `client`'s cookies: the same session (the apps share a key)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


# What differs from one response to the next by design, and nothing else: the reader's
# CSRF token (signed anew), a form's once-only token and a pre-order's key (new for each
# response), and a product's view count (each response is a view: two renders in a row
# never agree, and a visitor's stored page keeps the count it was drawn with).
_TOKEN_NAMES = "csrf_token|submit_token|idempotency_key"
_PER_RESPONSE = [
    (re.compile(r'(name="csrf-token" content=")[^"]+'), r"\1TOKEN"),
    (re.compile(rf'(name="(?:{_TOKEN_NAMES})"[^>]*value=")[^"]+'), r"\1TOKEN"),
    (re.compile(rf'(value=")[^"]+("[^>]*name="(?:{_TOKEN_NAMES})")'), r"\1TOKEN\2"),
    (re.compile(r"· \d+ views?\b"), "· N views"),
]


def normalised(html):
    for pattern, replacement in _PER_RESPONSE:
        html = pattern.sub(replacement, html)
    return html
