"""Alembic revisions build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from community.kernel.extensions import db


def _migrated_diff(app):
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn), db.metadata)


def test_migrations_match_the_models_on_sqlite(tmp_path):
    from helpers import build_app

    app = build_app(f"sqlite:///{tmp_path}/m.sqlite3", tmp_path)
    assert _migrated_diff(app) == []
    with app.app_context():
        assert "users" in inspect(db.engine).get_table_names()


def test_migrations_match_the_models_on_postgresql(tmp_path):
    import os

    import pytest

    url = os.environ.get("FANFORGE_TEST_DATABASE_URL")
    if not url:
        pytest.skip("FANFORGE_TEST_DATABASE_URL is not set")
    from helpers import build_app

    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    name = f"fanforge_migrate_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        app = build_app(make_url(url).set(database=name).render_as_string(hide_password=False), tmp_path)
        assert _migrated_diff(app) == []
        with app.app_context():
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
