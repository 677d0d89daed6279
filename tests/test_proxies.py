"""Behind a proxy the client's address comes from X-Forwarded-For, for the number of
proxies configured (FANFORGE_PROXY_COUNT): rate limits key on the real client, and with no
proxy configured a client-sent header changes nothing."""

import uuid

import pytest
from helpers import build_app

from app import create_app
from community.kernel.extensions import db

PROXY = {"REMOTE_ADDR": "127.0.0.1"}  # every request reaches gunicorn from nginx


def _app(tmp_path, **config):
    app = build_app(f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.sqlite3", tmp_path,
                    RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute", **config)
    with app.app_context():
        db.create_all()
    return app


def _sign_in(client, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/login", data={"login": "nobody", "password": "wrong-password"},
                       headers=headers, environ_base=PROXY).status_code


def test_behind_one_proxy_each_client_has_its_own_sign_in_budget(tmp_path):
    client = _app(tmp_path, PROXY_COUNT=1).test_client()
    assert [_sign_in(client, "203.0.113.7") for _ in range(3)] == [422, 422, 429]
    assert _sign_in(client, "198.51.100.9") == 422  # another fan behind the same proxy
    # nginx appends the address it saw: what the client wrote before it is not trusted.
    assert _sign_in(client, "198.51.100.77, 203.0.113.7") == 429


def test_with_no_proxy_configured_a_client_sent_forwarded_for_is_ignored(tmp_path):
    app = _app(tmp_path)
    assert app.config["PROXY_COUNT"] == 0
    client = app.test_client()
    codes = [_sign_in(client, f"198.51.100.{i}") for i in range(3)]  # a new "address" each time
    assert codes == [422, 422, 429]


def test_the_proxy_count_comes_from_the_environment_and_is_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("FANFORGE_DATABASE_URL", f"sqlite:///{tmp_path}/p.sqlite3")
    monkeypatch.setenv("FANFORGE_PROXY_COUNT", "2")
    assert create_app().config["PROXY_COUNT"] == 2
    monkeypatch.setenv("FANFORGE_PROXY_COUNT", "yes")
    with pytest.raises(RuntimeError, match="FANFORGE_PROXY_COUNT"):
        create_app()
