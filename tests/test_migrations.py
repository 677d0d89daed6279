"""Alembic revisions build exactly the schema the models describe."""

import os
from contextlib import ExitStack, contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from helpers import build_app, make_user
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from community.kernel.extensions import db


@contextmanager
def _scratch_database(url, name):
    """A PostgreSQL database of its own beside `url`'s, dropped afterwards: its URL."""
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrated_diff(app):
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn), db.metadata)


def test_migrations_match_the_models_on_sqlite(tmp_path):
    app = build_app(f"sqlite:///{tmp_path}/m.sqlite3", tmp_path)
    assert _migrated_diff(app) == []
    with app.app_context():
        assert "users" in inspect(db.engine).get_table_names()


def test_migrations_match_the_models_on_postgresql(tmp_path):
    url = os.environ.get("FANFORGE_TEST_DATABASE_URL")
    if not url:
        pytest.skip("FANFORGE_TEST_DATABASE_URL is not set")
    with _scratch_database(url, f"fanforge_migrate_{os.getpid()}") as scratch:
        app = build_app(scratch, tmp_path)
        assert _migrated_diff(app) == []
        with app.app_context():
            db.engine.dispose()


def test_the_logs_lose_the_names_they_copied_on_both_databases(tmp_path):
    """d2b4f6a8c0e1: rows written before the logs named users by id only drop the copied
    name; on PostgreSQL through the append-only trigger, which stays on afterwards."""
    base = os.environ.get("FANFORGE_TEST_DATABASE_URL")
    with ExitStack() as stack:
        urls = [("sqlite", f"sqlite:///{tmp_path}/logs.sqlite3")]
        if base:
            urls.append(("postgresql", stack.enter_context(
                _scratch_database(base, f"fanforge_logs_{os.getpid()}"))))
        for backend, url in urls:
            app = build_app(url, tmp_path / backend)
            with app.app_context():
                upgrade(revision="c7a9e1b3d5f6")
                zoe = make_user("zoe").id  # the schema is the models' but for data
                with db.engine.begin() as conn:
                    for action, detail in (("suspend", "zoe until 2026-12-09 10:00"),
                                           ("ban", "zoe"), ("circle_mute", "zoe in knitters"),
                                           ("award_medal", "")):
                        conn.execute(text(
                            "INSERT INTO moderation_actions (actor_id, action, target_type, "
                            "target_id, reason, detail, created_at) VALUES (:zoe, :action, "
                            "'user', :zoe, '', :detail, CURRENT_TIMESTAMP)"),
                            {"action": action, "detail": detail, "zoe": zoe})
                    conn.execute(text(
                        "INSERT INTO audit_entries (actor_id, action, target, detail, created_at) "
                        "VALUES (:zoe, 'role', :target, 'zoe: fan -> staff', CURRENT_TIMESTAMP)"),
                        {"zoe": zoe, "target": f"user:{zoe}"})
                upgrade()
                with db.engine.connect() as conn:
                    details = conn.execute(text(
                        "SELECT detail FROM moderation_actions ORDER BY id")).scalars().all()
                    audited = conn.execute(text("SELECT detail FROM audit_entries")).scalar()
                assert details == ["until 2026-12-09 10:00", "", "in knitters", ""], backend
                assert audited == "fan -> staff", backend
                if backend == "postgresql":  # append-only again
                    with pytest.raises(Exception, match="append-only"), \
                            db.engine.begin() as conn:
                        conn.execute(text("UPDATE audit_entries SET detail = 'x'"))
                db.engine.dispose()
