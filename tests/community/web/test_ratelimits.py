"""Rate limits on sign-in, sign-up and posting; in memory or shared through Redis."""

import logging
import socket
import uuid
from pathlib import Path

import pytest
from helpers import make_thread, make_user
from servers import free_port

from community.kernel.extensions import db


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


def test_the_default_storage_is_a_file_in_the_instance_folder(tmp_path):
    from helpers import build_app

    app = build_app(f"sqlite:///{tmp_path}/x.sqlite3", tmp_path, RATELIMIT_STORAGE_URI="")
    assert app.config["RATELIMIT_STORAGE_URI"] == \
        "sqlite:///" + str(Path(app.instance_path) / "ratelimits.sqlite3")


def test_the_sqlite_storage_is_one_budget_for_every_worker(tmp_path):
    """Two apps stand in for two workers of one host; tests/concurrency runs real ones."""
    config = {"RATELIMIT_LOGIN": "3 per minute",
              "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path}/limits.sqlite3"}
    worker_a = _limited_app(tmp_path, **config).test_client()
    worker_b = _limited_app(tmp_path, **config).test_client()
    for client in (worker_a, worker_b, worker_a):
        assert client.post("/login", data={"login": "x", "password": "y"}).status_code == 422
    assert worker_b.post("/login", data={"login": "x", "password": "y"}).status_code == 429


def test_sign_in_is_limited_per_account_from_any_address(tmp_path):
    app = _limited_app(tmp_path, RATELIMIT_LOGIN="100 per minute",
                       RATELIMIT_LOGIN_ACCOUNT="3 per minute")
    client = app.test_client()

    def attempt(login, address):
        return client.post("/login", data={"login": login, "password": "wrong"},
                           environ_base={"REMOTE_ADDR": address}).status_code

    assert [attempt("LiLei", f"10.0.0.{i}") for i in range(3)] == [422] * 3
    assert attempt(" lilei ", "10.0.0.99") == 429  # the same account, typed otherwise
    assert client.post("/api/v1/tokens", json={"username": "lilei", "password": "wrong"},
                       environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code == 429
    assert attempt("hanmei", "10.0.0.99") == 422  # another account is not held back


def _unreachable_redis():
    return f"redis://127.0.0.1:{free_port()}/3"


def test_without_storage_sign_in_and_reset_fail_closed_and_the_rest_open(tmp_path, caplog):
    app = _limited_app(tmp_path, RATELIMIT_STORAGE_URI=_unreachable_redis())
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        response = client.post("/login", data={"login": "lilei", "password": "wrong"})
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    assert "briefly unavailable" in response.get_data(as_text=True)
    logged = [r.getMessage() for r in caplog.records]
    assert any("fails closed" in m for m in logged)
    assert any("falling back to in-memory" in m for m in logged)  # Flask-Limiter's own
    response = client.post("/api/v1/tokens", json={"username": "lilei", "password": "wrong"})
    assert response.status_code == 503 and response.is_json
    assert client.post("/forgot-password", data={"email": "a@example.com"}).status_code == 503
    # Sign-up and posting count in memory meanwhile: they work, limited per worker.
    response = client.post("/register", data={"username": "x", "email": "bad", "password": "y"})
    assert response.status_code == 422
    assert client.get("/").status_code == 200


def test_redis_limits_have_socket_timeouts(tmp_path):
    app = _limited_app(tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/3")
    options = app.config["RATELIMIT_STORAGE_OPTIONS"]
    assert options["socket_timeout"] <= 1 and options["socket_connect_timeout"] <= 1
