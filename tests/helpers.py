"""Plain factories and helpers shared by the tests. Factories need an app context."""

import itertools

import sqlcache
from sqlalchemy import func, select
from templatecache import SHARED as SHARED_TEMPLATES

from app import create_app
from community.accounts import service as accounts
from community.forum import boards as board_service
from community.forum import service as forum
from community.kernel.extensions import db
from community.media.models import MediaBlob
from community.search import backends
from community.search.index import get_index
from community.search.models import SearchDocument
from community.web.pagecache import markers

PASSWORD = "correct-horse-9"

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    # Cheap hashes keep the suite fast; production uses scrypt (a test checks).
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "RATELIMIT_ENABLED": False,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Links need no level in tests, except in the test of that guard.
    "LINKS_MIN_LEVEL": 1,
    # New accounts' posts with links go straight up, and a copy is no flood, except in the
    # tests of those screens (tests/community/gatekeeping).
    "SPAM_FIRST_POSTS_HELD": 0,
    "SPAM_COPIES_ALLOWED": 0,
    "SERVER_NAME": None,
    # Mail stays in memory and the queue is nobody's, unless a test sets up an SMTP server
    # (the `smtp` fixture) or a worker (tests/concurrency/test_mail_worker.py).
    "MAIL_BACKEND": "locmem",
    "REQUIRE_VERIFIED_EMAIL": True,
    "QUEUE_URL": "memory://",
    # Pages for visitors are cached in this process, so every test also checks that a
    # write makes them fresh again (community/web/pagecache/serving.py).
    "CACHE_URL": "memory://",
    # ...and exactly fresh: live figures (vote counts) lag by nothing here, except in the
    # tests of that lag.
    "PAGE_CACHE_LIVE_SECONDS": 0,
    "SITE_URL": "http://fanforge.test",
    # Staff sign in with a password alone here, as they did before two-factor sign-in;
    # its own tests (tests/community/accounts/test_two_factor*.py) turn it on ("staff").
    "TWO_FACTOR_ENFORCE": "no",
}


def build_app(url, tmp_path, **overrides):
    config = dict(TEST_CONFIG, SQLALCHEMY_DATABASE_URI=url)
    config.update(overrides)
    app = create_app(config)
    app.jinja_env.bytecode_cache = SHARED_TEMPLATES
    sqlcache.share(app)
    return app


_seq = itertools.count(1)


def make_user(username=None, role="fan", password=PASSWORD, email=None, verified=True):
    """A user; confirmed by default, so tests post without a mail round trip."""
    n = next(_seq)
    username = username or f"fan{n}"
    return accounts.register(username, email or f"{username}@example.com", password, role=role,
                             verified=verified)


def make_board(slug=None, name=None):
    n = next(_seq)
    slug = slug or f"board-{n}"
    return board_service.create_board(name or f"Board {n}", slug, "A board for tests.")


def make_thread(board=None, author=None, title=None, body="Opening post."):
    board = board or make_board()
    author = author or make_user()
    return forum.create_thread(board, author, title or f"Thread {next(_seq)}", body)


class AuthActions:
    """Sign in and out through the real forms, like flaskr's `auth` fixture."""

    def __init__(self, client):
        self.client = client

    def login(self, username, password=PASSWORD, remember=False):
        data = {"login": username, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data)

    def logout(self):
        return self.client.post("/logout")


def make_product(board=None, staff=None, slug=None, cocreators=(), clicked=()):
    """A product with its participation thread, without going through promotion.
    `cocreators` are granted co-creation by the staff member (so they qualify for its
    rights); `clicked` have a bare participant row, as one click made before co-creation
    had to be earned (so they do not)."""
    from community.kernel.database import transaction, utcnow
    from community.kernel.extensions import db
    from products.catalog.models import CoCreator, Product

    board = board or make_board()
    staff = staff or make_user(role="staff")
    n = next(_seq)
    with transaction():
        thread = forum.add_thread(board.id, staff, f"Product {n}", "Join us.", kind="product")
        product = Product(slug=slug or f"product-{n}", name=f"Product {n}", board_id=board.id,
                          thread_id=thread.id, created_by_id=staff.id)
        db.session.add(product)
        db.session.flush()
        for user in cocreators:
            db.session.add(CoCreator(product_id=product.id, user_id=user.id, source="participant",
                                     granted_by_id=staff.id, granted_at=utcnow()))
        for user in clicked:
            db.session.add(CoCreator(product_id=product.id, user_id=user.id, source="participant"))
    return product


def make_contributor(product, user=None):
    """A fan who replied in the product's thread: a contribution that lets them join it."""
    user = user or make_user()
    forum.reply(forum.get_thread(product.thread_id, user), user, "Count me in!")
    return user


def make_campaign(product=None, staff=None, goal=None, cap=50, per_buyer=5, tiers=None,
                  publish=True, starts_in_hours=-1, ends_in_hours=24, charge_mode="none", **terms):
    """A campaign; by default one that takes no payment (a reservation), so tests about
    stock, tiers and settling need no checkout. Payment tests pass charge_mode (and terms)."""
    from datetime import timedelta

    from community.kernel.database import utcnow
    from products.campaigns import service as campaigns

    staff = staff or make_user(role="staff")
    product = product or make_product(staff=staff)
    goal = min(10, cap) if goal is None else goal
    now = utcnow()
    tiers = tiers or [{"name": "Standard", "price_cents": 19900, "currency": "CNY"}]
    campaign = campaigns.create_campaign(product, staff, goal, cap, now + timedelta(hours=starts_in_hours),
                                         now + timedelta(hours=ends_in_hours), per_buyer, tiers,
                                         charge_mode=charge_mode, **terms)
    if publish:
        campaigns.publish(campaign.id, staff)
    return campaigns.get_campaign(campaign.id)


class SmtpServer:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives, parsed.

    stop() and start() again keep the port, so a test can take the server away and bring
    it back; `delay` slows each DATA down (to catch a worker in the middle of a batch).
    """

    def __init__(self, port=None, delay=0.0):
        from servers import free_port

        self.port = port or free_port()
        self.delay = delay
        self.messages = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook)
        import asyncio
        import email
        from email import policy

        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def start(self):
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count, timeout=30.0):
        """True once `count` messages arrived (or False after `timeout` seconds)."""
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return len(self.messages) >= count

    def to(self, address):
        return [m for m in self.messages if address in m["To"]]

    def configure(self, app):
        """Point an app at this server."""
        app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=self.port,
                          MAIL_USE_TLS=False, MAIL_USE_SSL=False, MAIL_USERNAME=None)
        return self


def mail_parts(message):
    """(plain text, html) of a received message."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def first_link(text, path):
    """The first link in a mail's text that contains `path`."""
    import re

    for link in re.findall(r"https?://\S+", text):
        if path in link:
            return link
    raise AssertionError(f"no link with {path!r} in:\n{text}")


def unfilled_marks(app, html):
    """The page marks (community/web/pagecache/markers.py) left in a response: a response has none."""
    marks = markers.markers(app)
    return [mark for mark in (marks.csrf, marks.submit, marks.next, marks.opening)
            if mark in html]


def stored_blobs(app):
    """How many uploads the database storage backend holds."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MediaBlob))


def indexed_search_keys():
    """"kind:id" of every document the app's search backend holds (an app context)."""
    if backends.postgresql():
        rows = db.session.execute(select(SearchDocument.kind, SearchDocument.ref_id))
        return {f"{kind}:{ref_id}" for kind, ref_id in rows}
    with get_index().reading() as searcher:
        return {key.decode() for key in searcher.lexicon("key")} if searcher.doc_count() else set()
