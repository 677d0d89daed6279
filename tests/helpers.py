"""Plain factories and helpers shared by the tests. Factories need an app context."""

import itertools

from community.accounts import service as accounts
from community.forum import service as forum

PASSWORD = "correct-horse-9"
_seq = itertools.count(1)


def make_user(username=None, role="fan", password=PASSWORD, email=None):
    n = next(_seq)
    username = username or f"fan{n}"
    return accounts.register(username, email or f"{username}@example.com", password, role=role)


def make_board(slug=None, name=None):
    n = next(_seq)
    slug = slug or f"board-{n}"
    return forum.create_board(name or f"Board {n}", slug, "A board for tests.")


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
