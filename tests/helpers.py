"""Plain factories and helpers shared by the tests. Factories need an app context."""

import itertools

from app import create_app
from community.accounts import service as accounts
from community.forum import boards as board_service
from community.forum import service as forum

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
    "SERVER_NAME": None,
}


def build_app(url, tmp_path, **overrides):
    config = dict(TEST_CONFIG, SQLALCHEMY_DATABASE_URI=url)
    config.update(overrides)
    return create_app(config)


_seq = itertools.count(1)


def make_user(username=None, role="fan", password=PASSWORD, email=None):
    n = next(_seq)
    username = username or f"fan{n}"
    return accounts.register(username, email or f"{username}@example.com", password, role=role)


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


def make_product(board=None, staff=None, slug=None, cocreators=()):
    """A product with its participation thread, without going through promotion."""
    from community.database import transaction
    from community.extensions import db
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
            db.session.add(CoCreator(product_id=product.id, user_id=user.id, source="participant"))
    return product


def make_campaign(product=None, staff=None, goal=None, cap=50, per_buyer=5, tiers=None,
                  publish=True, starts_in_hours=-1, ends_in_hours=24):
    from datetime import timedelta

    from community.database import utcnow
    from products.campaigns import service as campaigns

    staff = staff or make_user(role="staff")
    product = product or make_product(staff=staff)
    goal = min(10, cap) if goal is None else goal
    now = utcnow()
    tiers = tiers or [{"name": "Standard", "price_cents": 19900, "currency": "CNY"}]
    campaign = campaigns.create_campaign(product, staff, goal, cap, now + timedelta(hours=starts_in_hours),
                                         now + timedelta(hours=ends_in_hours), per_buyer, tiers)
    if publish:
        campaigns.publish(campaign.id, staff)
    return campaigns.get_campaign(campaign.id)
