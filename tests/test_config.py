import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app
from community.kernel.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_production_without_secret_key_refuses_to_start(monkeypatch):
    monkeypatch.setenv("FANFORGE_ENV", "production")
    monkeypatch.delenv("FANFORGE_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="FANFORGE_SECRET_KEY"):
        create_app()


@pytest.mark.long
def test_production_start_fails_clearly_from_the_command_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "FANFORGE_ENV": "production",
           "FANFORGE_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    result = subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "FANFORGE_SECRET_KEY is not set" in result.stderr


def test_production_refuses_the_dummy_gateway_unless_told(monkeypatch, tmp_path):
    monkeypatch.setenv("FANFORGE_ENV", "production")
    monkeypatch.setenv("FANFORGE_SECRET_KEY", "s" * 32)
    monkeypatch.setenv("FANFORGE_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    with pytest.raises(RuntimeError, match="takes no money"):
        create_app()
    monkeypatch.setenv("FANFORGE_PAYMENTS_PROVIDER", "stripe")  # secrets are asked on first use
    assert create_app().config["PAYMENTS_PROVIDER"] == "stripe"


def test_production_cookies_are_secure_unless_told_otherwise(monkeypatch, tmp_path):
    monkeypatch.setenv("FANFORGE_ENV", "production")
    monkeypatch.setenv("FANFORGE_SECRET_KEY", "s" * 32)
    monkeypatch.setenv("FANFORGE_PAYMENTS_PROVIDER", "stripe")
    monkeypatch.setenv("FANFORGE_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    monkeypatch.setenv("FANFORGE_SESSION_COOKIE_SECURE", "false")  # e.g. behind plain HTTP
    assert create_app().config["SESSION_COOKIE_SECURE"] is False


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("FANFORGE_SECRET_KEY", "from-env")
    monkeypatch.setenv("FANFORGE_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("FANFORGE_DATABASE_URL", "postgresql://u@db.example/fanforge")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/fanforge"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_app):
    with sqlite_app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_500_page_is_styled_and_rolls_back(sqlite_app):
    @sqlite_app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    sqlite_app.config["PROPAGATE_EXCEPTIONS"] = False
    response = sqlite_app.test_client().get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "site-header" in page and "kaboom" not in page


def test_csrf_is_enforced_on_forms(tmp_path):
    from helpers import build_app

    app = build_app(f"sqlite:///{tmp_path}/c.sqlite3", tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
    response = app.test_client().post("/register", data={"username": "x1", "email": "x@e.com",
                                                         "password": "long-enough"})
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)


_WARMED = """
import gc, runpy, sys, types
import jieba
from app import create_app
app = create_app({"DATABASE_URL": "sqlite:///%s/w.sqlite3"})
hooks = runpy.run_path("gunicorn.conf.py")
cfg = types.SimpleNamespace(preload_app=%s)
def warmed():
    return jieba.dt.initialized and "community.search.query" in sys.modules
print(warmed())
hooks["when_ready"](types.SimpleNamespace(cfg=cfg, app=types.SimpleNamespace(wsgi=lambda: app)))
print(warmed())
hooks["post_worker_init"](types.SimpleNamespace(cfg=cfg, wsgi=app))
print(warmed())
print(gc.get_freeze_count() > 0)
"""


@pytest.mark.long
@pytest.mark.parametrize("preload", [False, True])
def test_gunicorn_loads_the_search_before_the_first_request(tmp_path, preload):
    """gunicorn.conf.py runs the app's warm-ups before any worker takes a request: once in
    the master with --preload (the workers share it), else in each worker as it starts.
    Otherwise the first search in every new worker loaded jieba, about a second. Then
    the worker freezes what it loaded, out of the collector's way."""
    result = subprocess.run([sys.executable, "-c", _WARMED % (tmp_path, preload)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    before, ready, worker, frozen = result.stdout.split()
    assert before == "False" and frozen == "True"
    assert (ready, worker) == (("True", "True") if preload else ("False", "True"))
