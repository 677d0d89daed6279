"""The keys a write moves, as community/kernel/dependencies/write_plans.py finds them: by
its own RETURNING on both databases (no second query), its WHERE where that names every
key, a lookup on SQLite where a key column's old value is known no other way."""

from importlib.metadata import version

import pytest
from helpers import make_board, make_thread, make_user
from sqlalchemy import bindparam, update

from community.forum.models import Thread
from community.ideas import service as ideas
from community.ideas.models import Idea
from community.kernel.database import transaction
from community.kernel.dependencies import writes
from community.kernel.extensions import db
from community.notifications.fanout import notify
from community.notifications.models import Notification

IDEAS, THREADS = Idea.__table__, Thread.__table__


@pytest.fixture
def moved(monkeypatch):
    """The keys each commit hands on meanwhile: [(structural, live)]."""
    found = []
    monkeypatch.setattr(writes, "_on_commit", [lambda s, live: found.append((s, live))])
    return found


def _all(found):
    return set().union(*(s | live for s, live in found))


def test_a_widened_write_answers_its_caller_as_compiled(ctx, moved):
    idea = ideas.propose(make_board(), make_user(), "Longer battery", "Please.")
    moved.clear()
    returned = db.session.execute(IDEAS.update().where(IDEAS.c.id == idea.id)
                                  .values(votes=IDEAS.c.votes + 1).returning(IDEAS.c.votes))
    assert returned.all() == [(1,)]
    plain = db.session.execute(IDEAS.update().where(IDEAS.c.id == idea.id)
                               .values(votes=IDEAS.c.votes + 1))
    assert plain.rowcount == 1 and not plain.returns_rows
    db.session.commit()
    (structural, live), = moved
    assert not structural  # votes are live: only live keys moved
    assert {f"ideas.id={idea.id}", f"ideas.board_id={idea.board_id}",
            f"ideas.author_id={idea.author_id}", f"ideas.thread_id={idea.thread_id}"} <= live
    assert "ideas*" not in live
    # The ORM's own UPDATE (its row count is checked) comes through widened as well.
    idea.status = "planned"
    db.session.commit()
    assert f"ideas.board_id={idea.board_id}" in moved[-1][0] and "ideas*" not in moved[-1][0]
    assert db.session.get(Idea, idea.id, populate_existing=True).votes == 2


def test_a_vote_names_its_rows_on_both_databases(ctx, moved):
    idea = ideas.propose(make_board(), make_user(), "Brighter screen", "Please.")
    voter = make_user()
    moved.clear()
    ideas.vote(idea.id, voter)
    keys = _all(moved)
    # The vote's INSERT ... SELECT, its idea's count and the author's points: by key.
    assert {f"votes.idea_id={idea.id}", f"votes.user_id={voter.id}",
            f"ideas.id={idea.id}", f"users.id={idea.author_id}"} <= keys
    assert not {"votes*", "ideas*", "users*"} & keys
    moved.clear()
    ideas.unvote(idea.id, voter)
    assert f"votes.idea_id={idea.id}" in _all(moved) and "ideas*" not in _all(moved)


def test_a_key_column_moved_is_named_as_it_was_and_as_it_is(app, ctx, moved):
    old, new = make_board(), make_board()
    thread = make_thread(old, make_user(), title="Moving house")
    moved.clear()
    # The WHERE pins the old value: the RETURNING gives the rest, on both databases.
    db.session.execute(update(THREADS).where(THREADS.c.board_id == old.id)
                       .values(board_id=new.id))
    db.session.commit()
    keys = moved[-1][0]
    assert {f"threads.board_id={old.id}", f"threads.board_id={new.id}",
            f"threads.id={thread.id}"} <= keys and "threads*" not in keys
    # By id alone the old board is known only by looking (SQLite, in the write lock); on
    # PostgreSQL every read of threads by key moves rather than a second query.
    db.session.execute(update(THREADS).where(THREADS.c.id == thread.id).values(board_id=old.id))
    db.session.commit()
    keys = moved[-1][0]
    if app.backend == "sqlite":
        assert {f"threads.board_id={new.id}", f"threads.board_id={old.id}"} <= keys
        assert "threads*" not in keys
    else:
        assert "threads*" in keys


def test_a_write_with_many_parameter_sets_is_looked_up_or_moves_its_table(app, ctx, moved):
    board = make_board()
    ids = [make_thread(board, make_user(), title=f"Thread {n}").id for n in range(2)]
    moved.clear()
    db.session.execute(update(THREADS).where(THREADS.c.id == bindparam("tid"))
                       .values(title=bindparam("new_title")),
                       [{"tid": i, "new_title": f"Renamed {i}"} for i in ids])
    db.session.commit()
    keys = moved[-1][0]
    if app.backend == "sqlite":  # executemany returns no rows: looked up
        assert {f"threads.id={i}" for i in ids} | {f"threads.board_id={board.id}"} <= keys
    else:
        assert "threads*" in keys


def test_the_widening_holds_sqlalchemy_as_this_version_keeps_it():
    """community/kernel/dependencies/returning.py sets the fetch strategy SQLAlchemy 2.1
    builds a result from. A new version: check _setup_dml_or_text_result still reads it
    (the tests above show whether callers still get their own answer)."""
    assert version("sqlalchemy").startswith("2.1.")


def test_a_write_to_a_table_visitors_may_not_see_moves_nothing(ctx, moved):
    """No stored page read such a table (serving.py stores none that did): a commit that
    wrote only such tables hands nothing on, on SQLAlchemy's path and on the driver's."""
    user = make_user()
    idea = ideas.propose(make_board(), user, "Quieter fan", "Please.")
    moved.clear()
    with transaction():
        notify("reply", user.id, target_type="idea", target_id=idea.id, title="Hi")
        db.session.execute(update(Notification).where(Notification.user_id == user.id)
                           .values(read_at=None))
    assert moved == []
    with transaction():  # beside a visible write, only the visible write's keys move
        notify("reply", user.id, target_type="idea", target_id=idea.id, title="Again")
        db.session.execute(update(IDEAS).where(IDEAS.c.id == idea.id).values(status="planned"))
    (structural, _live), = moved
    assert f"ideas.id={idea.id}" in structural
    assert not {key for key in structural if key.startswith("notifications")}
