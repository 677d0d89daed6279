"""`flask search drain` and `flask search rebuild` (with its progress bar), and the
"did you mean" link on the results page."""

import pytest
from helpers import make_board, make_thread, make_user
from sqlalchemy import func, select

from community import search
from community.forum import service as forum
from community.kernel.extensions import db
from community.search.index import get_index
from community.search.models import SearchDocument, SearchOutbox


def _outbox_rows():
    return db.session.scalar(select(func.count()).select_from(SearchOutbox))


def _found(app, q):
    with app.test_request_context():
        return {(h.kind, h.id) for h in search.search(q).items}


@pytest.mark.whoosh
def test_drain_command_applies_the_outbox(app, runner):
    with app.app_context():
        thread = make_thread(title="Drained jabuticaba")
        reply = forum.reply(thread, make_user(), "jabuticaba again")
        assert _outbox_rows() == 2
    result = runner.invoke(args=["search", "drain"])
    assert result.exit_code == 0, result.output
    assert "Applied 2 outbox rows" in result.output
    with app.app_context():
        assert _outbox_rows() == 0
    assert _found(app, "jabuticaba") == {("thread", thread.id), ("reply", reply.id)}


@pytest.mark.whoosh
def test_drain_command_leaves_the_rows_when_the_lock_stays_taken(app, runner):
    with app.app_context():
        make_thread(title="Locked salak")
        with get_index().writer() as holder:
            assert holder is not None
            result = runner.invoke(args=["search", "drain", "--wait", "0"])
        assert result.exit_code == 0 and "Applied 0 outbox rows" in result.output
        assert _outbox_rows() == 1


def test_rebuild_command_shows_progress_and_indexes_everything(app, runner):
    with app.app_context():
        board, author = make_board(), make_user()
        threads = [make_thread(board, author, f"Rebuilt longan {i}").id for i in range(3)]
        # As if the outbox (whoosh) or the documents (PostgreSQL) were lost.
        db.session.execute(SearchOutbox.__table__.delete())
        db.session.execute(SearchDocument.__table__.delete())
        db.session.commit()
    assert _found(app, "longan") == set()
    result = runner.invoke(args=["search", "rebuild", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "Indexing" in result.output and "Indexed 3 documents" in result.output
    assert _found(app, "longan") == {("thread", thread_id) for thread_id in threads}


def test_results_page_offers_a_correction(app, client):
    with app.app_context():
        make_thread(title="Battery life", body="battery battery")
        make_thread(title="Battery again", body="the battery")
        search.drain()
    page = client.get("/search?q=baterry").text
    assert 'data-testid="did-you-mean"' in page
    assert 'href="/search?q=battery"' in page
