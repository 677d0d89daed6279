"""The SQLite writer queue (community/database.py): the turn is always given back, a
second process waits for it instead of failing, and the WAL is checkpointed outside it."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from helpers import make_user
from sqlalchemy import func, select

from community import database
from community.database import transaction
from community.extensions import db
from community.forum.models import Board

ROOT = Path(__file__).resolve().parent.parent


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


def test_the_wal_is_checkpointed_outside_the_turn(sqlite_app):
    path = _db_path(sqlite_app)
    with sqlite_app.app_context():
        for n in range(database.CHECKPOINT_EVERY * 6):
            with transaction():
                _board(f"b{n}")
    # SQLite's own checkpoint is off for queued writers; without ours the WAL would hold
    # every page of 600 commits (several MB). Checkpointed, it is reused from the start.
    wal = os.path.getsize(path + "-wal")
    assert wal < 2 * 1024 * 1024, wal
