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
