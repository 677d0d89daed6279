"""What only PostgreSQL's backend does: documents written in the changing transaction
(no outbox, no drain), a lock per document so concurrent edits of its parts both land,
queries written as capped tsqueries, and SEARCH_BACKEND choosing whoosh instead."""

import threading

import pytest
from helpers import build_app, make_board, make_thread, make_user
from querycount import counting
from sqlalchemy import func, select, update

from community import search
from community.accounts.models import User
from community.forum import moderation
from community.forum import service as forum
from community.forum.models import Board, Post, Thread
from community.kernel.database import transaction
from community.kernel.extensions import db
from community.search import backends, pgindex, pgquery
from community.search.models import SearchDocument, SearchOutbox
from community.search.pgquery import MAX_TERMS, tsquery_of
from community.search.query import parse


def test_queries_become_tsqueries_of_analysed_words_each_once_and_capped():
    assert tsquery_of(parse("batteries Running")).text == "('batteri' & 'run')"
    assert tsquery_of(parse("电池续航")).text == "('电池' & '续航')"
    assert tsquery_of(parse("nfc OR 门禁卡 -strap")).text == "(('nfc' | '门禁卡') & !'strap')"
    assert tsquery_of(parse('"watch faces"')).phrases == "('watch':A <-> 'face':A)"
    assert pgindex._quote("o'ne\\il") == "'o''ne\\\\il'"  # tsquery and tsvector quoting
    assert tsquery_of(parse("battery battery BATTERY batteries")).text == "'batteri'"
    words = " ".join(f"w{i}x" for i in range(40))
    assert tsquery_of(parse(words)).text.count("'w") == MAX_TERMS
    # Nothing required: it would match every document.
    assert tsquery_of(parse("battery OR NOT strap")) is None


@pytest.fixture
def pg(app):
    if app.backend != "postgresql":
        pytest.skip("PostgreSQL's backend")
    with app.app_context(), app.test_request_context():
        yield app


def _docs():
    return db.session.scalar(select(func.count()).select_from(SearchDocument))


def _found(q):
    return {(h.kind, h.id) for h in search.search(q).items}


def test_a_post_is_findable_at_its_commit_and_a_rollback_leaves_nothing(pg):
    assert backends.name() == "postgresql"
    thread = make_thread(title="Committed tamarind", body="正文 tamarind")
    reply = forum.reply(thread, make_user(), "more tamarind 罗望子")
    # No drain: every host reads these rows the moment they commit.
    assert _found("tamarind") == {("thread", thread.id), ("reply", reply.id)}
    assert _found("罗望子") == {("reply", reply.id)}
    assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) == 0
    board, author = db.session.get(Board, thread.board_id), make_user()
    with pytest.raises(RuntimeError), transaction():
        forum.add_thread(board.id, author, "Rolled back sapodilla", "never committed")
        raise RuntimeError
    assert _found("sapodilla") == set()
    moderation.set_thread_hidden(thread, make_user(role="staff"), True)
    assert _found("tamarind") == set() and _docs() == 0


def test_edits_of_a_title_and_its_opening_post_at_once_both_land(pg):
    thread = make_thread(title="Old title", body="old body")
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id,
                                                   Post.position == 0))
    author = db.session.get(User, thread.author_id)
    holder = db.engine.connect()
    holder_tx = holder.begin()
    # Another transaction renaming the thread holds the document's lock as it commits.
    holder.execute(select(func.pg_advisory_xact_lock(pgindex._lock_key("thread", thread.id))))
    failed = []

    def edit_body():
        with pg.app_context():
            try:
                forum.edit_post(db.session.get(Post, opening.id), db.session.get(User, author.id),
                                "feijoa body")
            except Exception as error:  # noqa: BLE001 - reported below
                failed.append(error)
            finally:
                db.session.remove()

    editor = threading.Thread(target=edit_body)
    editor.start()
    editor.join(0.5)
    assert editor.is_alive()  # waits for the document's lock before reading its rows
    holder.execute(update(Thread).where(Thread.id == thread.id).values(title="Guava title"))
    holder_tx.commit()
    holder.close()
    editor.join(30)
    assert not failed and not editor.is_alive()
    # Read after the rename committed: the document holds the new title and the new body.
    assert _found("guava feijoa") == {("thread", thread.id)}


def test_whoosh_can_be_kept_on_postgresql(app, tmp_path):
    if app.backend != "postgresql":
        pytest.skip("PostgreSQL")
    kept = build_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, SEARCH_BACKEND="Whoosh")
    with kept.app_context():
        with kept.test_request_context():
            assert backends.name() == "whoosh"
            thread = make_thread(title="Whoosh jackfruit")
            assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) == 1
            assert _docs() == 0
            search.drain()
            assert _found("jackfruit") == {("thread", thread.id)}
        db.session.remove()
        db.engine.dispose()


def test_an_unknown_backend_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="SEARCH_BACKEND"):
        build_app(f"sqlite:///{tmp_path}/x.sqlite3", tmp_path, SEARCH_BACKEND="elastic")


def test_sqlite_keeps_whoosh_whatever_is_asked(sqlite_app):
    sqlite_app.config["SEARCH_BACKEND"] = "postgresql"
    with sqlite_app.app_context():
        assert backends.name() == "whoosh"


def test_a_stored_results_page_shows_a_post_made_since(app, client):
    """The page cache learns of a new document on either backend: whoosh's drain deletes
    outbox rows, PostgreSQL's transaction writes search_documents."""
    with app.app_context():
        make_thread(title="First rambutan")
        search.drain()
    assert client.get("/search?q=rambutan").text.count('data-testid="search-hit"') == 1
    with app.app_context():
        make_thread(title="Second rambutan")
        search.drain()
    assert client.get("/search?q=rambutan").text.count('data-testid="search-hit"') == 2


def test_outbox_rows_left_from_whoosh_are_drained_into_postgresql(pg):
    thread = make_thread(title="Switched pitaya")
    db.session.execute(SearchDocument.__table__.delete())
    db.session.execute(SearchOutbox.__table__.insert().values(
        kind="thread", ref_id=thread.id, created_at=thread.created_at))
    db.session.commit()
    assert _found("pitaya") == set()
    assert search.drain() == 1
    assert _found("pitaya") == {("thread", thread.id)}
    assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) == 0


def test_a_common_word_ranks_its_newest_matches_whatever_order_a_scan_meets(pg, monkeypatch):
    """Past RANK_CAP matches, the ranked ones are the newest: the same first page every
    time. (A scan meets the oldest rows first here, in the order they were written.)"""
    monkeypatch.setattr(pgquery, "RANK_CAP", 3)
    pgquery._find_template.cache_clear()
    try:
        best = make_thread(title="Quince quince quince", body="quince")  # the oldest
        newer = [make_thread(title=f"Note {i}", body=f"a word on quince, number {i}")
                 for i in range(6)]
        first = [(h.kind, h.id) for h in search.search("quince").items]
        assert ("thread", best.id) not in first
        assert set(first) <= {("thread", t.id) for t in newer[-4:]}
        assert first == [(h.kind, h.id) for h in search.search("quince").items]
    finally:
        monkeypatch.undo()
        pgquery._find_template.cache_clear()
    assert ("thread", best.id) == next((h.kind, h.id) for h in search.search("quince").items)


def test_a_word_with_many_near_spellings_is_suggested_for_in_a_few_statements(pg):
    """"Did you mean" counted each near spelling's documents with a statement of its own:
    a word with a hundred neighbours (zq059x among zq000x...zq099x) cost a hundred round
    trips a results page (90 ms here). Now one statement counts them all."""
    board, author = make_board(), make_user()
    for i in range(60):
        make_thread(board, author, f"Topic zq{i:03d}x", f"zq{i:03d}x and zq{i % 3:03d}x")
    with counting() as statements:
        result = search.search("zq059x")
    assert len(result.items) == 1 and "zq059x" in result.items[0].title
    assert result.suggestion == "zq000x"  # in 21 documents: ten times as common, and near
    # The find, the suggestion's one count, the hit's thread and its opening post (a
    # select of its own: read by thread, a results page is stale only when a hit changes).
    assert len(statements) <= 5, statements
