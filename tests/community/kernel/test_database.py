"""community/kernel/database.py: the SQLite writer queue (the turn is always given back, a
second process waits for it instead of failing, and the WAL is checkpointed inside it),
and prebuilt statements run with plain parameters."""

import os
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import make_user
from querycount import counting
from sqlalchemy import bindparam, event, func, select, text

from community.accounts.follows import Follow
from community.forum.models import Board
from community.kernel import compiled, database, tasks
from community.kernel.database import transaction
from community.kernel.extensions import db

ROOT = Path(__file__).resolve().parents[3]


def _board(slug):
    db.session.add(Board(name=slug, slug=slug, description=""))


def _db_path(app):
    with app.app_context():
        return db.engine.url.database


def test_a_failed_write_gives_the_turn_back(sqlite_app):
    with sqlite_app.app_context():
        make_user("writer")
        with pytest.raises(RuntimeError), transaction():
            _board("doomed")
            raise RuntimeError("the use case fails half-way")
        with transaction():  # would wait forever if the turn were still held
            _board("kept")
        slugs = db.session.scalars(select(Board.slug)).all()
    assert "kept" in slugs and "doomed" not in slugs


def test_another_process_waits_for_the_turn_then_writes(sqlite_app):
    path = _db_path(sqlite_app)
    # A second process holds the turn for a moment; this one's write must wait, not fail.
    with subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import fcntl, sys, time
        with open({path + database.WRITE_LOCK_SUFFIX!r}, "a+") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            print("held", flush=True)
            time.sleep(1.0)
        """)], stdout=subprocess.PIPE, text=True, cwd=ROOT) as holder:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with sqlite_app.app_context():
            with transaction():
                _board("after-the-wait")
            waited = time.monotonic() - started
            assert db.session.scalar(select(func.count()).select_from(Board)
                                     .where(Board.slug == "after-the-wait")) == 1
    assert waited >= 0.5  # it queued behind the holder rather than writing past it


def test_the_wal_is_checkpointed_in_the_writers_turn(sqlite_app):
    path = _db_path(sqlite_app)
    with sqlite_app.app_context():
        for n in range(600):
            with transaction():
                _board(f"b{n}")
        # SQLite's own checkpoint runs as a commit passes its threshold: the log is reused
        # from its start instead of holding every page of 600 commits.
        assert db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() \
            == database.WAL_AUTOCHECKPOINT_PAGES
        assert db.session.execute(text("PRAGMA journal_size_limit")).scalar() \
            == database.WAL_SIZE_LIMIT
        db.session.rollback()
    wal = os.path.getsize(path + "-wal")
    assert wal < 5 * 1024 * 1024, wal


def test_the_worker_checkpoint_empties_the_log(sqlite_app):
    path = _db_path(sqlite_app)
    with sqlite_app.app_context():
        for n in range(50):
            with transaction():
                _board(f"c{n}")
        assert os.path.getsize(path + "-wal") > 0
        result = tasks.checkpoint()
        assert "log pages copied" in result
        assert os.path.getsize(path + "-wal") == 0
        assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert db.session.scalar(select(func.count()).select_from(Board)) >= 50


def test_rows_among_answers_as_the_expanding_in_does(ctx):
    """rows_among runs a prebuilt SELECT with the ids as plain parameters: the same rows
    as SQLAlchemy's expanding IN, whatever the parameters around the list, on each
    database (SQLite's "?" and psycopg's named placeholders)."""
    fans = [make_user() for _ in range(4)]
    for fan in fans[1:]:
        db.session.add(Follow(user_id=fans[0].id, target_type="user", target_id=fan.id))
    db.session.add(Follow(user_id=fans[0].id, target_type="idea", target_id=fans[1].id))
    db.session.commit()
    # The list between two parameters, and a bound literal after it.
    statement = select(Follow.target_id, Follow.target_type).where(
        Follow.user_id == bindparam("user_id"),
        Follow.target_id.in_(bindparam("ids", expanding=True)),
        Follow.target_type == bindparam("target_type"), Follow.target_id != -1)
    for ids in ([fans[1].id], [fans[1].id, fans[3].id, 999_999], [999_999]):
        expected = db.session.execute(statement, {
            "user_id": fans[0].id, "ids": ids, "target_type": "user"}).all()
        found = compiled.rows_among(statement, ids, user_id=fans[0].id, target_type="user")
        assert sorted(found) == sorted(expected)
        assert all(kind == "user" for _id, kind in found)
    assert len(compiled.rows_among(statement, [f.id for f in fans], user_id=fans[0].id,
                                   target_type="user")) == 3


def test_rows_among_takes_a_second_list_by_its_name(ctx):
    """Another expanding IN beside the ids takes its list from the parameters: the same
    rows as SQLAlchemy's own path, each list in its place, on each database."""
    fans = [make_user() for _ in range(4)]
    for fan in fans[1:]:
        for kind in ("user", "idea", "board"):
            db.session.add(Follow(user_id=fan.id, target_type=kind, target_id=fans[0].id))
    db.session.commit()
    statement = select(Follow.user_id, Follow.target_type).where(
        Follow.user_id.in_(bindparam("ids", expanding=True)),
        Follow.target_id == bindparam("target_id"),
        Follow.target_type.in_(bindparam("kinds", expanding=True)))
    for ids, kinds in (([fans[1].id], ["idea"]), ([f.id for f in fans], ["user", "board"]),
                       ([fans[2].id, fans[3].id], ["idea", "user", "nothing"])):
        expected = db.session.execute(statement, {"ids": ids, "kinds": kinds,
                                                  "target_id": fans[0].id}).all()
        found = compiled.rows_among(statement, ids, kinds=kinds, target_id=fans[0].id)
        assert sorted(found) == sorted(expected) and found


def test_rows_of_binds_datetimes_and_dates_as_sqlalchemy_does(ctx):
    """A datetime parameter goes in as SQLAlchemy binds it (SQLite keeps text in its own
    format): the same rows as SQLAlchemy's own path, around the boundary."""
    fan = make_user()
    now = database.utcnow()
    for minutes in (-2, -1, 1, 2):
        db.session.add(Follow(user_id=fan.id, target_type="user", target_id=minutes + 10,
                              created_at=now + timedelta(minutes=minutes)))
    db.session.commit()
    statement = select(Follow.target_id).where(
        Follow.user_id == bindparam("user_id"), Follow.created_at > bindparam("since"))
    for since in (now - timedelta(minutes=3), now - timedelta(minutes=1, seconds=30), now,
                  now + timedelta(minutes=1), now + timedelta(minutes=5)):
        params = {"user_id": fan.id, "since": since}
        assert sorted(compiled.rows_of(statement, **params)) == \
            sorted(db.session.execute(statement, params).all())


def test_rows_among_takes_one_path_whoever_listens(ctx):
    """The driver's cursor runs the SELECT with or without a listener on the engine (an APM
    tool would otherwise move every request onto a slower path), and the tests' driver-level
    count still sees it: the same tuples either way."""
    fans = [make_user() for _ in range(3)]
    for fan in fans[1:]:
        db.session.add(Follow(user_id=fans[0].id, target_type="user", target_id=fan.id))
    db.session.commit()
    statement = select(Follow.target_id).where(
        Follow.user_id == bindparam("user_id"),
        Follow.target_id.in_(bindparam("ids", expanding=True)))
    ids = [fan.id for fan in fans]
    unwatched = compiled.rows_among(statement, ids, user_id=fans[0].id)
    seen = []
    engine = db.session.get_bind()
    watch = lambda *args: seen.append(args[2])  # noqa: E731  (an APM tool's hook, say)
    event.listen(engine, "before_cursor_execute", watch)
    try:
        with counting() as counted:
            watched = compiled.rows_among(statement, ids, user_id=fans[0].id)
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert sorted(unwatched) == sorted(watched) == sorted((fan.id,) for fan in fans[1:])
    assert all(type(row) is tuple for row in unwatched + watched)
    # One path whoever listens: straight to the driver, where the tests count it.
    assert seen == [] and len(counted) == 1 and "follows" in counted[0]
