"""The outbox feeds the index: rows commit with their cause, drains are idempotent and
never write stale text, and hidden, deleted and merged content leaves the index."""

import os

import pytest
from helpers import indexed_search_keys, make_board, make_thread, make_user
from sqlalchemy import func, select

from community import search
from community.forum import moderation
from community.forum import service as forum
from community.ideas import service as ideas
from community.ideas import statuses
from community.kernel.database import transaction
from community.kernel.extensions import db
from community.search import outbox
from community.search.index import get_index
from community.search.models import SearchDocument, SearchOutbox


def found(q, **kw):
    return {(h.kind, h.id) for h in search.search(q, **kw).items}


def outbox_rows():
    return db.session.scalar(select(func.count()).select_from(SearchOutbox))


def indexed_keys():
    return indexed_search_keys()


def lose_the_index():
    """As if the outbox (whoosh) or the documents (PostgreSQL) had been lost."""
    db.session.execute(SearchOutbox.__table__.delete())
    db.session.execute(SearchDocument.__table__.delete())
    db.session.commit()


@pytest.fixture
def req(ctx):
    """A request context: hits carry URLs."""
    with ctx.test_request_context():
        yield ctx


@pytest.mark.whoosh
def test_a_write_enqueues_in_its_transaction_and_a_rollback_leaves_nothing(req):
    board, author = make_board(), make_user()
    with pytest.raises(RuntimeError), transaction():
        forum.add_thread(board.id, author, "Rolled back tangerine", "never committed")
        assert outbox_rows() == 1  # written in the same transaction...
        raise RuntimeError("the use case fails")
    assert outbox_rows() == 0  # ...and gone with it
    assert search.drain() == 0
    assert found("tangerine") == set()
    make_thread(board, author, "Committed tangerine")
    assert outbox_rows() == 1
    assert search.drain() == 1 and outbox_rows() == 0
    assert len(found("tangerine")) == 1


@pytest.mark.whoosh
def test_applying_a_row_twice_is_harmless(req):
    thread = make_thread(title="Twice applied mango")
    with transaction():
        search.enqueue("thread", [thread.id, thread.id])
    assert search.drain() == 3
    with transaction():
        search.enqueue("thread", [thread.id])
        search.enqueue("thread", [999_999])  # a row that does not exist: forgotten, no error
    assert search.drain() == 2
    result = search.search("mango")
    assert [(h.kind, h.id) for h in result.items] == [("thread", thread.id)]
    assert result.total == 1 and indexed_keys() == {f"thread:{thread.id}"}


@pytest.mark.whoosh
def test_a_late_drain_writes_current_text_never_stale(req):
    author = make_user()
    thread = make_thread(author=author, title="Papaya plans", body="first draft about kiwis")
    post = forum.first_post(thread)
    forum.edit_post(post, author, "second draft about lychees", title="Papaya plans revised")
    assert outbox_rows() == 2  # nothing drained in between: the first row is applied late
    search.drain()
    assert found("kiwis") == set()
    assert found("lychees") == {("thread", thread.id)}
    assert found("revised") == {("thread", thread.id)}


def test_edits_of_replies_show_up(req):
    author = make_user()
    thread = make_thread(author=author)
    reply = forum.reply(thread, author, "I like durian")
    search.drain()
    assert found("durian") == {("reply", reply.id)}
    forum.edit_post(reply, author, "I like rambutan")
    search.drain()
    assert found("durian") == set()
    assert found("rambutan") == {("reply", reply.id)}


def test_hidden_and_deleted_content_leaves_and_returns(req):
    staff, author = make_user(role="staff"), make_user()
    thread = make_thread(author=author, title="Quince thread")
    reply = forum.reply(thread, author, "quince reply")
    other = forum.reply(thread, author, "quince second reply")
    search.drain()
    assert found("quince") == {("thread", thread.id), ("reply", reply.id), ("reply", other.id)}

    moderation.set_post_hidden(reply, staff, True)
    forum.delete_post(other, author)
    search.drain()
    assert found("quince") == {("thread", thread.id)}

    moderation.set_thread_hidden(thread, staff, True)  # its replies go with it
    moderation.set_post_hidden(reply, staff, False)
    search.drain()
    assert found("quince") == set()

    moderation.set_thread_hidden(thread, staff, False)
    search.drain()
    assert found("quince") == {("thread", thread.id), ("reply", reply.id)}


def test_ideas_hidden_or_merged_leave_the_results(req):
    staff, author, board = make_user(role="staff"), make_user(), make_board()
    first = ideas.propose(board, author, "Persimmon mode for the band", "persimmon body")
    second = ideas.propose(board, author, "Persimmon theme again", "a duplicate")
    search.drain()
    assert found("persimmon") == {("idea", first.id), ("idea", second.id)}

    statuses.merge(second.id, first.id, staff)
    search.drain()
    assert found("persimmon") == {("idea", first.id)}

    moderation.set_thread_hidden(first.thread, staff, True)
    search.drain()
    assert found("persimmon") == set()


def test_an_idea_title_edit_reindexes_the_idea_not_a_thread(req):
    author = make_user()
    idea = ideas.propose(make_board(), author, "Guava watch face", "guava body")
    search.drain()
    forum.edit_post(forum.first_post(idea.thread), author, "guava body", title="Feijoa watch face")
    search.drain()
    assert found("guava") == {("idea", idea.id)}  # still in the body
    assert found("feijoa") == {("idea", idea.id)}
    assert found("feijoa", kinds=["thread"]) == set()  # an idea's thread is the idea's document


def test_products_register_their_kind_and_enqueue_on_creation(req):
    from products.catalog import promotion

    staff = make_user(role="staff")
    idea = ideas.propose(make_board(), make_user(), "Cherimoya speaker idea", "b")
    product = promotion.promote(staff, [idea.id], "Cherimoya Speaker", "cherimoya-speaker",
                                "A speaker shaped like a cherimoya", "Loud **cherimoya** sound.")
    search.drain()
    result = search.search("cherimoya", kinds=["product"])
    assert [(h.kind, h.id, h.url) for h in result.items] == [
        ("product", product.id, "/products/cherimoya-speaker")]


def test_rebuild_indexes_everything_from_the_database(req):
    author = make_user()
    thread = make_thread(author=author, title="Rebuilt starfruit")
    reply = forum.reply(thread, author, "starfruit reply")
    idea = ideas.propose(make_board(), author, "Starfruit idea title", "b")
    lose_the_index()
    seen = []
    assert search.rebuild(progress=seen.append) == 3
    assert sum(seen) >= 3
    assert found("starfruit") == {("thread", thread.id), ("reply", reply.id), ("idea", idea.id)}
    moderation.set_thread_hidden(thread, make_user(role="staff"), True)
    search.rebuild()  # replaces the index: what is hidden now is gone
    assert found("starfruit") == {("idea", idea.id)}


@pytest.mark.whoosh
def test_a_drain_that_finds_the_lock_taken_leaves_the_rows(req):
    make_thread(title="Locked loquat")
    with get_index().writer() as holder:
        assert holder is not None
        assert search.drain() == 0  # another writer holds the lock: nothing applied...
    assert outbox_rows() == 1  # ...and nothing lost
    assert search.drain() == 1
    assert len(found("loquat")) == 1


@pytest.mark.whoosh
def test_the_after_request_hook_drains_once_the_response_is_closed(app):
    with app.app_context():
        make_board(slug="hook")
        make_user("hooker")
    client = app.test_client()
    client.post("/login", data={"login": "hooker", "password": "correct-horse-9"})
    with client.post("/b/hook/new", data={"title": "Hooked pomelo", "body": "pomelo"}) as response:
        assert response.status_code == 302
    with app.test_request_context():
        assert outbox_rows() == 0
        assert len(found("pomelo")) == 1


@pytest.mark.whoosh
def test_drain_refuses_to_run_over_uncommitted_changes(req):
    thread = make_thread()
    db.session.get(type(thread), thread.id).title = "dirty"
    with pytest.raises(RuntimeError):
        outbox.drain()
    db.session.rollback()


@pytest.mark.whoosh
def test_rebuild_replaces_an_index_written_with_another_schema(req):
    from whoosh.fields import ID, Schema
    from whoosh.filedb.filestore import FileStorage

    path = get_index().path  # an index left by an older release, with other fields
    os.makedirs(path)
    FileStorage(path).create_index(Schema(key=ID(unique=True, stored=True)), indexname="MAIN")
    thread = make_thread(title="Schema sapodilla")
    assert search.rebuild() == 1
    assert found("sapodilla") == {("thread", thread.id)}
    search.drain()  # and drains write into the new schema
    assert found("sapodilla") == {("thread", thread.id)}


@pytest.mark.whoosh
def test_a_drain_reads_its_rows_after_taking_the_lock(req, monkeypatch):
    """Another drain that applies the rows between this drain's look at the outbox and its
    taking the lock: this one must not apply them again from an older snapshot."""
    import threading

    from flask import current_app

    thread = make_thread(title="Snapshot santol")
    app, index = current_app._get_current_object(), get_index()
    real = type(index).writer

    def other_drain_first(self, timeout=0.0, **kwargs):
        monkeypatch.setattr(type(index), "writer", real)

        def run():
            with app.app_context():
                assert search.drain() == 1

        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
        return real(self, timeout, **kwargs)

    monkeypatch.setattr(type(index), "writer", other_drain_first)
    assert search.drain() == 0
    assert outbox_rows() == 0
    with index.reading() as searcher:
        assert searcher.doc_count_all() == 1  # indexed once, not deleted and added again
    assert found("santol") == {("thread", thread.id)}
