"""Rate limits on sign-in, sign-up and posting; in memory or shared through Redis."""

import socket
import uuid

import pytest
from helpers import make_thread, make_user

from community.extensions import db


def _limited_app(tmp_path, **config):
    from helpers import build_app

    config.setdefault("RATELIMIT_ENABLED", True)
    app = build_app(f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.sqlite3", tmp_path, **config)
    with app.app_context():
        db.create_all()
    return app


def test_sign_in_is_limited_with_a_clear_429_page(tmp_path):
    app = _limited_app(tmp_path, RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    for _ in range(3):
        assert client.post("/login", data={"login": "x", "password": "y"}).status_code == 422
    response = client.post("/login", data={"login": "x", "password": "y"})
    assert response.status_code == 429
    assert "too often" in response.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # reading the form is not limited


def test_sign_up_is_limited(tmp_path):
    app = _limited_app(tmp_path, RATELIMIT_REGISTER="2 per minute")
    client = app.test_client()
    for i in range(2):
        client.post("/register", data={"username": f"u{i}x", "email": "bad", "password": "x"})
    assert client.post("/register", data={}).status_code == 429


def test_posting_is_limited_per_user(tmp_path):
    app = _limited_app(tmp_path, RATELIMIT_POSTING="2 per minute")
    with app.app_context():
        make_user("lilei")
        thread = make_thread()
        board_slug = thread.board.slug
    client = app.test_client()
    client.post("/login", data={"login": "lilei", "password": "correct-horse-9"})
    codes = [client.post(f"/t/{thread.id}/reply", data={"body": f"r{i}"}).status_code for i in range(3)]
    assert codes == [302, 302, 429]
    response = client.post(f"/b/{board_slug}/new", data={"title": "t", "body": "b"})
    assert response.status_code == 429  # one budget across every kind of post


def test_limits_can_be_turned_off(tmp_path):
    app = _limited_app(tmp_path, RATELIMIT_LOGIN="1 per minute", RATELIMIT_ENABLED=False)
    client = app.test_client()
    codes = {client.post("/login", data={"login": "x", "password": "y"}).status_code for _ in range(4)}
    assert codes == {422}


def _redis_up():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_redis_storage_shares_limits_between_hosts(tmp_path):
    prefix = uuid.uuid4().hex  # keeps parallel runs apart
    config = {"RATELIMIT_LOGIN": "3 per minute", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
              "RATELIMIT_KEY_PREFIX": prefix}
    host_a = _limited_app(tmp_path, **config).test_client()
    host_b = _limited_app(tmp_path, **config).test_client()
    for client in (host_a, host_b, host_a):
        assert client.post("/login", data={"login": "x", "password": "y"}).status_code == 422
    assert host_b.post("/login", data={"login": "x", "password": "y"}).status_code == 429
