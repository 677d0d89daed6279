"""compiled.write_rows: a prebuilt write run on the driver answers, fails and moves page
keys as the same statement run through SQLAlchemy does, on both databases."""

from datetime import datetime

import pytest
from helpers import make_board, make_thread, make_user
from sqlalchemy import bindparam, exc, insert

from community.forum.models import Thread
from community.ideas import service as ideas
from community.ideas.models import Idea, Vote
from community.kernel import compiled
from community.kernel.database import transaction
from community.kernel.dependencies import writes
from community.kernel.extensions import db

IDEAS, THREADS, VOTES = Idea.__table__, Thread.__table__, Vote.__table__

BUMP = (IDEAS.update().where(IDEAS.c.id == bindparam("idea_id"),
                             IDEAS.c.status.in_(("open", "planned")))
        .values(votes=IDEAS.c.votes + bindparam("by")).returning(IDEAS.c.votes))
VOTE = insert(VOTES).values(user_id=bindparam("user_id"), idea_id=bindparam("idea_id"),
                            created_at=bindparam("created_at"))
VOTE_NOW = insert(VOTES).returning(VOTES.c.user_id)  # created_at: utcnow, Python's default
MOVE = THREADS.update().where(THREADS.c.id == bindparam("thread_id")).values(
    board_id=bindparam("board_id"))


@pytest.fixture
def moved(monkeypatch):
    found = []
    monkeypatch.setattr(writes, "_on_commit", [lambda s, live: found.append((s, live))])
    return found


def _through_sqlalchemy(statement, params):
    result = db.session.execute(statement, params)
    return [tuple(row) for row in result] if result.returns_rows else []


def _on_the_driver(statement, params):
    return compiled.write_rows(statement, **params)


def _both(moved, statement, params, again=None):
    """[(rows, keys)] of `statement` through SQLAlchemy, then on the driver (with `again`'s
    parameters if given), each in a transaction of its own."""
    answers = []
    for run, values in ((_through_sqlalchemy, params), (_on_the_driver, again or params)):
        moved.clear()
        with transaction():
            rows = run(statement, values)
        answers.append((rows, moved[0] if moved else (set(), set())))
    return answers


def test_a_widened_update_with_an_in_answers_and_moves_as_through_sqlalchemy(ctx, moved):
    idea = ideas.propose(make_board(), make_user(), "Longer battery", "Please.")
    (rows, keys), (driven_rows, driven_keys) = _both(moved, BUMP, {"idea_id": idea.id, "by": 1})
    assert rows == [(1,)] and driven_rows == [(2,)]
    assert driven_keys == keys
    assert f"ideas.board_id={idea.board_id}" in keys[1] and "ideas*" not in keys[1]
    # No row matched: no rows, and the same keys as SQLAlchemy's path moves then.
    (rows, keys), (driven_rows, driven_keys) = _both(moved, BUMP, {"idea_id": -1, "by": 1})
    assert rows == driven_rows == [] and driven_keys == keys


def test_an_insert_moves_its_keys_and_its_new_row_as_through_sqlalchemy(ctx, moved):
    idea = ideas.propose(make_board(), make_user(), "Brighter screen", "Please.")
    first, second = make_user(), make_user()
    now = datetime(2026, 1, 2, 3, 4, 5)
    (_rows, keys), (_rows2, driven_keys) = _both(
        moved, VOTE, {"user_id": first.id, "idea_id": idea.id, "created_at": now},
        {"user_id": second.id, "idea_id": idea.id, "created_at": now})
    assert driven_keys[0] == {k.replace(f"={first.id}", f"={second.id}") for k in keys[0]}
    assert db.session.get(Vote, (second.id, idea.id)).created_at == now  # bound as SQLAlchemy binds it
    # A Python default (created_at=utcnow) is SQLAlchemy's to compute: it runs the insert.
    third = make_user()
    with transaction():
        assert compiled.write_rows(VOTE_NOW, user_id=third.id, idea_id=idea.id) == [(third.id,)]
    assert db.session.get(Vote, (third.id, idea.id)).created_at is not None


def test_a_write_only_a_lookup_names_goes_through_sqlalchemy(app, ctx, moved):
    old, new = make_board(), make_board()
    thread = make_thread(old, make_user(), title="Moving house")
    moved.clear()
    with transaction():
        assert compiled.write_rows(MOVE, thread_id=thread.id, board_id=new.id) == []
    keys = moved[0][0]
    if app.backend == "sqlite":  # looked up in the write lock, as a write through SQLAlchemy
        assert {f"threads.board_id={old.id}", f"threads.board_id={new.id}"} <= keys
    else:
        assert "threads*" in keys


def test_a_refused_write_raises_sqlalchemys_error_and_moves_nothing(ctx, moved):
    idea = ideas.propose(make_board(), make_user(), "Smaller box", "Please.")
    voter = make_user()
    ideas.vote(idea.id, voter)
    moved.clear()
    with pytest.raises(exc.IntegrityError), transaction():
        compiled.write_rows(VOTE, user_id=voter.id, idea_id=idea.id, created_at=datetime(2026, 1, 1))
    assert moved == []


def test_after_a_failed_flush_a_write_is_refused_as_through_sqlalchemy(ctx):
    idea = ideas.propose(make_board(), make_user(), "Lighter case", "Please.")
    voter = make_user()
    ideas.vote(idea.id, voter)
    db.session.connection()
    compiled.write_rows(BUMP, idea_id=idea.id, by=0)  # the connection asked once
    db.session.add(Vote(user_id=voter.id, idea_id=idea.id))  # the same vote again
    with pytest.raises(exc.IntegrityError):
        db.session.flush()
    with pytest.raises(exc.PendingRollbackError):
        compiled.write_rows(BUMP, idea_id=idea.id, by=1)
    db.session.rollback()
