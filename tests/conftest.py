"""Fixtures: a fresh app and database per test, on SQLite and (when
FANFORGE_TEST_DATABASE_URL is set) again on PostgreSQL.

No fixture keeps an app context pushed while the test client runs, so each
request gets its own context, session and `g`, as in production. Service tests
take the `ctx` fixture.
"""

import gc
import os
import shutil
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).parent))

from helpers import TEST_CONFIG, AuthActions, SmtpServer, build_app  # noqa: E402
from querycount import install as count_statements_at_the_driver  # noqa: E402
from routecache import install as compile_each_url_builder_once  # noqa: E402
from servers import LiveServers  # noqa: E402
from sqlcache import install as share_flush_statements  # noqa: E402

from app import create_app  # noqa: E402
from community.kernel import database
from community.kernel.extensions import db  # noqa: E402
from community.web.pagecache import serving  # noqa: E402

count_statements_at_the_driver()
compile_each_url_builder_once()
share_flush_statements()

PG_URL = os.environ.get("FANFORGE_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

LONG = ("concurrency", "e2e", "long")


def pytest_collection_modifyitems(config, items):
    """The long tests (servers under load, the browser, walks of every route) run first and
    the short ones after them, on every worker: with `--dist worksteal` (the Makefile) a
    worker that runs out takes the others' last tests, so the run ends on short tests, not
    one worker finishing a long one alone. worksteal first hands each worker a contiguous
    slice of the list, so the long tests are dealt out to the head of each slice
    (_deal_long_tests); sorted to the front of the list, they had all gone to one worker,
    which then ran every server and browser test in turn while the others ran out.

    A module marked `one_database` tests what the database does not decide (a page's
    words, a form's messages, an image): it runs on SQLite alone. The services, the API,
    the page cache and the races beneath those pages run on both."""
    dropped = [item for item in items if item.get_closest_marker("one_database")
               and getattr(item, "callspec", None) and item.callspec.params.get("app") == "postgresql"]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        gone = set(map(id, dropped))
        items[:] = [item for item in items if id(item) not in gone]
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    items[:] = _deal_long_tests(items, workers)


def _deal_long_tests(items, workers):
    """`items` reordered so that each of the slices worksteal will hand the `workers`
    (xdist/scheduler/worksteal.py: check_schedule gives each idle worker
    len(pending) // workers_left, in turn) starts with its share of the long tests."""
    long = [item for item in items if any(item.get_closest_marker(name) for name in LONG)]
    taken = set(map(id, long))
    short = [item for item in items if id(item) not in taken]
    if len(long) > len(items) // workers:  # more than a slice of long tests: all first
        return long + short
    ordered, left = [], len(items)
    for worker in range(workers):
        size = left // (workers - worker)
        share = long[worker::workers]
        ordered += share + short[:size - len(share)]
        short = short[size - len(share):]
        left -= size
    return ordered


def pytest_collection_finish(session):
    """The cyclic collector's full passes walk every object alive. After collection that
    is ~1M objects of imported modules, which never die: a full pass each few apps cost
    two thirds of every test's create_app (43 -> 14 ms with the collector off). Frozen,
    they are no longer walked; each test's own garbage still is."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)


@pytest.fixture(scope="session")
def pg_database():
    """A private PostgreSQL database for this test run, so parallel runs never collide."""
    admin_url = make_url(PG_URL)
    name = f"fanforge_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # Test data need not survive a crash of the server: commits stop waiting on fsync.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    schema_app = create_app(dict(TEST_CONFIG, SQLALCHEMY_DATABASE_URI=url))
    with schema_app.app_context():
        db.create_all()
        db.engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory):
    """A SQLite file holding the schema and nothing else, made once: each test's database
    starts as a copy of it (create_all on each test's file cost ~0.1 s)."""
    folder = tmp_path_factory.mktemp("schema")
    path = folder / "schema.sqlite3"
    schema_app = build_app(f"sqlite:///{path}", folder)
    with schema_app.app_context():
        db.create_all()
        db.engine.dispose()  # the last connection to close folds the log into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="session")
def pg_emptier(pg_database):
    """Empties the test database after each test, on one connection kept for the run.
    Every row gone and every id counting from its start again, as in a new database.
    Each test's app opens a new backend, which must load the catalog entries of every
    table before it can probe them (~50 ms a test); this one has them.

    DELETE, not TRUNCATE: TRUNCATE gives each table new files, ~0.5 s a test for the
    few rows a test writes; DELETE takes milliseconds. Children go before their parents
    (the one table that refers to itself, ideas, is emptied by one statement)."""
    tables = db.metadata.sorted_tables
    probe = text(" UNION ALL ".join(f'SELECT {i} WHERE EXISTS (SELECT 1 FROM "{t.name}")'
                                    for i, t in enumerate(tables)))
    restart = text(
        "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)"
        " FROM pg_sequences WHERE last_value IS NOT NULL")
    # A test that left a transaction open holding locks fails its teardown, not the run's.
    engine = create_engine(pg_database, pool_size=1, max_overflow=0,
                           connect_args={"options": "-c lock_timeout=20s"})

    def empty():
        with engine.begin() as connection:
            used = [tables[i] for i in sorted(connection.scalars(probe))]
            # The append-only logs' trigger lets this transaction's DELETEs by (community/audit).
            connection.execute(text("SET LOCAL fanforge.purge = 'on'"))
            for table in reversed(used):
                connection.execute(table.delete())
            connection.execute(restart)

    yield empty
    engine.dispose()


def _make_backend_app(backend, tmp_path, request, **overrides):
    # Each test its own search index, for gunicorn too (LiveServers passes the environment).
    request.getfixturevalue("monkeypatch").setenv("FANFORGE_SEARCH_DIR", str(tmp_path / "search"))
    if backend == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_schema"), path)
        return build_app(f"sqlite:///{path}", tmp_path, **overrides), None
    return (build_app(request.getfixturevalue("pg_database"), tmp_path, **overrides),
            request.getfixturevalue("pg_emptier"))


@pytest.fixture(autouse=True)
def _own_search_index(tmp_path, monkeypatch):
    """Every test its own search index, apps it builds itself included: the default,
    instance/search, is shared by parallel runs, whose merges delete one another's
    segments."""
    monkeypatch.setenv("FANFORGE_SEARCH_DIR", str(tmp_path / "search"))


@pytest.fixture(autouse=True)
def _pages_start_a_minute(monkeypatch):
    """Pages are stored per minute of the clock: a test's clock for them starts at a
    minute's first second, so a page it expects to be served again is not dropped because
    the minute turned between two requests (a test that moves the clock still moves it)."""
    now = database.utcnow()
    skew = timedelta(seconds=now.second, microseconds=now.microsecond)
    monkeypatch.setattr(serving, "clock_minute",
                        lambda: (database.utcnow() - skew).strftime(serving.MINUTE_FORMAT))


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path):
    app, cleanup = _make_backend_app(request.param, tmp_path, request)
    app.backend = request.param
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if cleanup:
        cleanup()


@pytest.fixture
def sqlite_app(request, tmp_path):
    """SQLite only: for tests whose subject is not the database (pages, the browser)."""
    app, _ = _make_backend_app("sqlite", tmp_path, request)
    app.backend = "sqlite"
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An app context for calling services directly."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def live_servers(tmp_path, monkeypatch):
    # gunicorn reads FANFORGE_* from the environment: mail it queues stays in the test's
    # database (no queue file, no .eml files in the work tree). Sign-up-then-post browser
    # tests predate confirmation mails, so live servers skip that check unless a test
    # passes FANFORGE_REQUIRE_VERIFIED_EMAIL=true (tests/e2e/test_reset_browser.py does).
    monkeypatch.setenv("FANFORGE_QUEUE_URL", "memory://")
    monkeypatch.setenv("FANFORGE_MAIL_BACKEND", "locmem")
    monkeypatch.setenv("FANFORGE_REQUIRE_VERIFIED_EMAIL", "false")
    # As TEST_CONFIG: staff sign in with a password alone unless a test asks for more.
    monkeypatch.setenv("FANFORGE_TWO_FACTOR_ENFORCE", "no")
    servers = LiveServers(tmp_path)
    yield servers
    servers.stop_all()


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback; `.messages` holds what it received."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(app, smtp_server):
    """The app sends its mail to `smtp_server`."""
    return smtp_server.configure(app)


@pytest.fixture
def storage_hosts(app, tmp_path):
    """`app` and a second app on its database, each with folders of its own, both storing
    uploads in the database; yields (a, b)."""
    other = build_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    for host, name in ((app, "a"), (other, "b")):
        host.config.update(MEDIA_STORAGE="database", MEDIA_DIR=str(tmp_path / name / "media"),
                           UPLOAD_DIR=str(tmp_path / name / "uploads"))
        host.extensions.pop("media_storage", None)
        host.extensions.pop("media_storage:uploads", None)
    yield app, other
    with other.app_context():
        db.engine.dispose()
