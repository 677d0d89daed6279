"""Attack 13 (an outsider, after PostgreSQL's search results pages were allowed to stay
stored through writes they do not show): make a stored /search page (a visitor's and a
fan's copy) or the API's search show what it must not.

The change under attack: the loaders' `id = ANY(:id_array)` is read by key as an IN is,
search_documents and search_words are live tables (which hits a search finds may lag by
PAGE_CACHE_LIVE_SECONDS), and "did you mean" counts documents in SQLAlchemy. What a hit
shows (title, text, hidden, deleted, moved out of sight, an idea's status) must show at
once; only which hits are found may lag, and by no more than the stated seconds.

Every test asserts the safe behaviour. Most run on both databases; those about SQL that
only PostgreSQL speaks (`= ANY`, UPDATE ... FROM) skip on SQLite.
"""

import types
from datetime import timedelta

import pytest
from helpers import PASSWORD, AuthActions, make_board, make_product, make_thread, make_user
from sqlalchemy import (
    Integer,
    String,
    all_,
    and_,
    any_,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from community import search
from community.accounts.models import User
from community.circles import threads as circle_threads
from community.datarights import closure
from community.forum import moderation
from community.forum import service as forum
from community.forum.models import Board, Post, Thread
from community.ideas import service as ideas
from community.ideas import statuses
from community.ideas.models import Idea
from community.kernel import dependencies
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.kernel.reads import rows_of
from community.moderation import service as sanctions
from community.web.pagecache import serving
from products.catalog.models import Product

Q = "/search?q=quokkaword"


# ---- helpers ---------------------------------------------------------------------------

def _cached(response):
    return response.headers.get("X-Page-Cache")


def _text(response):
    return response.get_data(as_text=True).replace("<mark>", "").replace("</mark>", "")


def _results(response):
    """The results part of a search page (the board select above lists board names)."""
    return _text(response).split("</form>", 1)[-1]


def _stored(client, path=Q):
    client.get(path)
    page = client.get(path)
    assert _cached(page) == "hit", path
    return _results(page)


def _pg(app):
    if app.backend != "postgresql":
        pytest.skip("PostgreSQL's SQL (= ANY, UPDATE ... FROM): the point is PostgreSQL")


def _fan(app, name):
    client = app.test_client()
    AuthActions(client).login(name)
    return client


def _readers(app):
    """A visitor and a signed-in fan: two stored copies of every page."""
    return [app.test_client(), _fan(app, "a13fan")]


def _staff(w):
    return db.session.get(User, w["staff"])


@pytest.fixture
def w(app):
    app.config["PAGE_CACHE_LIVE_SECONDS"] = 600  # only keyed reads may save a page
    with app.app_context():
        board = make_board(slug="a13talk", name="Atalk")
        make_board(slug="a13other", name="Aother")
        author = make_user("a13author")
        thread = make_thread(board, author, title="Quokkaword talk",
                             body="Quokkaword opening openword.")
        reply = forum.reply(thread, make_user("a13replier"), "Quokkaword replyword here.")
        second = make_thread(board, make_user(), title="Quokkaword second",
                             body="Quokkaword secondword.")
        idea = ideas.propose(board, make_user("a13proposer"), "Quokkaword idea",
                             "Quokkaword ideaword.")
        target = ideas.propose(board, make_user(), "Quokkaword target", "Quokkaword targetword.")
        quiet = make_thread(board, make_user(), title="Unrelated chatter", body="Nothing here.")
        staff = make_user("a13staff", role="admin")
        make_user("a13fan")
        search.drain()
        return {"board": board.id, "thread": thread.id, "reply": reply.id, "second": second.id,
                "idea": idea.id, "idea_thread": idea.thread_id, "target": target.id,
                "staff": staff.id, "author": author.id, "replier": reply.author_id,
                "quiet": quiet.id}


def _all_shown(app):
    readers = _readers(app)
    for reader in readers:
        page = _stored(reader)
        for word in ("openword", "replyword", "secondword", "ideaword", "targetword"):
            assert word in page, word
    return readers


# ---- moderation and deletion: at once, for visitors and fans ---------------------------

def test_a_hidden_reply_leaves_every_stored_copy_at_once(app, w):
    readers = _all_shown(app)
    with app.app_context():
        moderation.set_post_hidden(db.session.get(Post, w["reply"]), _staff(w), True)
    for reader in readers:
        page = reader.get(Q)
        assert "replyword" not in _results(page)
        assert "openword" in _results(page)


def test_a_deleted_reply_and_a_hidden_opening_post_leave_at_once(app, w):
    readers = _all_shown(app)
    with app.app_context():
        post = db.session.get(Post, w["reply"])
        forum.delete_post(post, post.author)
        opening = db.session.scalar(select(Post).where(Post.thread_id == w["thread"],
                                                       Post.position == 0))
        moderation.set_post_hidden(opening, _staff(w), True)
    for reader in readers:
        page = _results(reader.get(Q))
        assert "replyword" not in page and "openword" not in page


def test_a_hidden_thread_takes_its_replies_with_it_at_once(app, w):
    readers = _all_shown(app)
    with app.app_context():
        moderation.set_thread_hidden(db.session.get(Thread, w["thread"]), _staff(w), True)
    for reader in readers:
        page = _results(reader.get(Q))
        assert "Quokkaword talk" not in page and "replyword" not in page
        assert "openword" not in page


def test_edited_text_and_title_never_show_their_old_words(app, w):
    readers = _all_shown(app)
    with app.app_context():
        reply = db.session.get(Post, w["reply"])
        forum.edit_post(reply, reply.author, "Quokkaword tidied.")
        opening = db.session.scalar(select(Post).where(Post.thread_id == w["idea_thread"],
                                                       Post.position == 0))
        forum.edit_post(opening, opening.author, "Quokkaword tidied too.", title="Quokkaword renamed")
    for reader in readers:
        page = _results(reader.get(Q))
        assert "replyword" not in page and "ideaword" not in page
        assert "Quokkaword idea" not in page and "Quokkaword renamed" in page
        # A reply shows its thread's title: that too is read by key (the joined row).
        assert "Reply in Quokkaword talk" in page


def test_a_thread_title_edited_shows_in_its_replies_heading_at_once(app, w):
    readers = _all_shown(app)
    with app.app_context():
        opening = db.session.scalar(select(Post).where(Post.thread_id == w["thread"],
                                                       Post.position == 0))
        forum.edit_post(opening, opening.author, "Quokkaword opening openword.",
                        title="Quokkaword fresh heading")
    for reader in readers:
        page = _results(reader.get(Q))
        assert "Quokkaword talk" not in page and "Reply in Quokkaword fresh heading" in page


# ---- moves out of sight ------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["circle", "backer_update"])
def test_a_thread_moved_into_a_private_circle_vanishes_at_once(app, w, kind):
    """Into a private circle (its board, its kind) or made a backers-only thread."""
    readers = _all_shown(app)
    with app.app_context():
        circles = circle_threads.circles_board_id()
        db.session.execute(update(Thread).where(Thread.id == w["thread"])
                           .values(kind=kind, board_id=circles, listed=False))
        db.session.commit()
    for reader in readers:
        page = _results(reader.get(Q))
        assert "openword" not in page and "replyword" not in page
        assert "Quokkaword talk" not in page


def test_a_reply_moved_into_a_circle_thread_vanishes_at_once(app, w):
    """The reply's row keeps its id; only its thread_id moves, to a circle's thread."""
    readers = _all_shown(app)
    with app.app_context():
        hidden_place = make_thread(db.session.get(Board, w["board"]), make_user(),
                                   title="Private place", body="Nothing.")
        circles = circle_threads.circles_board_id()
        db.session.execute(update(Thread).where(Thread.id == hidden_place.id)
                           .values(kind="circle", board_id=circles, listed=False))
        db.session.execute(update(Post).where(Post.id == w["reply"])
                           .values(thread_id=hidden_place.id))
        db.session.commit()
    for reader in readers:
        assert "replyword" not in _results(reader.get(Q))


def test_an_idea_whose_thread_becomes_a_circle_thread_vanishes(app, w):
    """The idea page asks forum.can_see_thread (a circle's thread: members only); the
    search hit of the idea shows the same thread's title and opening post."""
    readers = _all_shown(app)
    with app.app_context():
        circles = circle_threads.circles_board_id()
        db.session.execute(update(Thread).where(Thread.id == w["idea_thread"])
                           .values(kind="circle", board_id=circles, listed=False))
        db.session.commit()
    visitor = app.test_client()
    assert visitor.get(f"/ideas/{w['idea']}").status_code == 404  # the idea page refuses
    assert visitor.get(f"/t/{w['idea_thread']}").status_code == 404  # and the thread's
    # Not the cache: a page never stored before, drawn now, shows it as well (the idea
    # loader, community/search/sources.py, checks its thread's `hidden`, not its kind).
    fresh = visitor.get("/search?q=quokkaword&type=idea")  # the query is in the page's links
    assert _cached(fresh) == "miss"
    assert "ideaword" not in _results(fresh) and "Quokkaword idea" not in _results(fresh)
    for reader in readers:
        page = _results(reader.get(Q))
        assert "ideaword" not in page and "Quokkaword idea" not in page


def test_a_thread_moved_to_another_board_shows_its_new_board_at_once(app, w):
    """Moved by its id to another board (a key column its WHERE does not pin): the hit's
    board line is read by key, and shows the new board at once."""
    readers = []
    for reader in _readers(app):
        page = _stored(reader)
        assert "Atalk" in page
        readers.append(reader)
    with app.app_context():
        other = db.session.scalar(select(Board.id).where(Board.slug == "a13other"))
        db.session.execute(update(Thread).where(Thread.id == w["second"]).values(board_id=other))
        db.session.commit()
    for reader in readers:
        page = reader.get(Q)
        assert _cached(page) != "hit"
        assert "Aother" in _results(page)


def test_a_renamed_board_shows_its_new_name_at_once(app, w):
    readers = _all_shown(app)
    with app.app_context():
        db.session.execute(update(Board).where(Board.id == w["board"]).values(name="Arenamed"))
        db.session.commit()
    for reader in readers:
        page = _text(reader.get(Q))
        assert "Atalk" not in page and "Arenamed" in page


# ---- bulk writes and writes by another key -------------------------------------------------

def test_a_bulk_update_by_thread_id_hides_every_reply_at_once(app, w):
    readers = _all_shown(app)
    with app.app_context():
        db.session.execute(update(Post).where(Post.thread_id == w["thread"], Post.position > 0)
                           .values(hidden=True))
        db.session.commit()
    for reader in readers:
        assert "replyword" not in _results(reader.get(Q))


def test_a_bulk_update_by_author_rewrites_text_at_once(app, w):
    readers = _all_shown(app)
    with app.app_context():
        db.session.execute(update(Post).where(Post.author_id == w["replier"])
                           .values(body="x", body_html="<p>Quokkaword scrubbed</p>"))
        db.session.commit()
    for reader in readers:
        page = _results(reader.get(Q))
        assert "replyword" not in page and "scrubbed" in page


def test_an_update_picked_by_a_subquery_hides_threads_at_once(app, w):
    readers = _all_shown(app)
    with app.app_context():
        db.session.execute(update(Thread).where(Thread.id.in_(
            select(Post.thread_id).where(Post.author_id == w["replier"]))).values(hidden=True))
        db.session.commit()
    for reader in readers:
        page = _results(reader.get(Q))
        assert "openword" not in page and "replyword" not in page


def test_an_update_with_many_parameter_sets_hides_threads_at_once(app, w):
    readers = _all_shown(app)
    with app.app_context():
        db.session.execute(
            update(Thread.__table__).where(Thread.__table__.c.id == bindparam("tid"))
            .values(hidden=bindparam("flag")),
            [{"tid": w["thread"], "flag": True}, {"tid": w["second"], "flag": True}])
        db.session.commit()
    for reader in readers:
        page = _results(reader.get(Q))
        assert "openword" not in page and "secondword" not in page


def test_a_bulk_title_change_by_board_shows_at_once(app, w):
    readers = _all_shown(app)
    with app.app_context():
        db.session.execute(update(Thread).where(Thread.board_id == w["board"],
                                                Thread.kind == "discussion")
                           .values(title="Quokkaword cleaned title"))
        db.session.commit()
    for reader in readers:
        page = _results(reader.get(Q))
        assert ">Quokkaword talk<" not in page and ">Quokkaword second<" not in page
        assert "Reply in Quokkaword talk" not in page


def test_postgresql_update_from_a_join_hides_at_once(app, w):
    """UPDATE posts SET ... FROM threads WHERE ...: a PostgreSQL form, its rows named by
    the RETURNING the dependency tracker adds."""
    _pg(app)
    readers = _all_shown(app)
    with app.app_context():
        db.session.execute(update(Post).where(Post.thread_id == Thread.id,
                                              Thread.board_id == w["board"], Post.position > 0)
                           .values(hidden=True))
        db.session.commit()
    for reader in readers:
        assert "replyword" not in _results(reader.get(Q))


def test_postgresql_an_update_by_any_array_hides_at_once(app, w):
    """The write side does not read `= ANY` as a pin (its RETURNING names the rows)."""
    _pg(app)
    readers = _all_shown(app)
    with app.app_context():
        ids = bindparam("ids", type_=ARRAY(Integer))
        db.session.execute(update(Thread).where(Thread.id == any_(ids)).values(hidden=True),
                           {"ids": [w["thread"], w["idea_thread"]]})
        db.session.commit()
    for reader in readers:
        page = _results(reader.get(Q))
        assert "openword" not in page and "ideaword" not in page and "replyword" not in page


def test_more_rows_than_a_lookup_names_still_makes_the_page_stale(app, w):
    """Past LOOKUP_ROWS a write moves T*: the loaders' narrowed reads depend on it."""
    with app.app_context():
        thread = db.session.get(Thread, w["second"])
        db.session.add_all(Post(thread_id=thread.id, author_id=w["author"], position=100 + n,
                                body="filler", body_html="<p>filler</p>")
                           for n in range(510))
        db.session.commit()
    readers = _all_shown(app)
    with app.app_context():
        db.session.execute(update(Post).where(Post.author_id == w["author"])
                           .values(body_html="<p>Quokkaword mass edit</p>"))
        db.session.commit()
    for reader in readers:
        assert "openword" not in _results(reader.get(Q))


# ---- ideas: merge, status ------------------------------------------------------------------

def test_a_merged_idea_leaves_at_once_and_a_status_shows_at_once(app, w):
    readers = _all_shown(app)
    with app.app_context():
        statuses.change_status(w["target"], _staff(w), "planned", "On the list.")
        statuses.merge(w["idea"], w["target"], _staff(w))
    for reader in readers:
        page = _results(reader.get(Q))
        assert "ideaword" not in page and "Quokkaword idea" not in page
        assert "Planned" in page


def test_a_status_changed_by_a_bulk_update_shows_at_once(app, w):
    readers = _all_shown(app)
    with app.app_context():
        db.session.execute(update(Idea).where(Idea.board_id == w["board"])
                           .values(status="declined"))
        db.session.commit()
    for reader in readers:
        assert "Declined" in _results(reader.get(Q))


# ---- accounts: closed, banned, renamed -----------------------------------------------------

def test_a_closed_account_that_took_its_posts_leaves_no_words_behind(app, w):
    readers = _all_shown(app)
    with app.app_context():
        replier = db.session.get(User, w["replier"])
        author = db.session.get(User, w["author"])
        closure.request_closure(replier, PASSWORD, keep_posts=False)
        closure.request_closure(author, PASSWORD, keep_posts=False)
        later = utcnow() + timedelta(days=60)
        assert closure.close_account(w["replier"], later)
        assert closure.close_account(w["author"], later)
    for reader in readers:
        page = _results(reader.get(Q))
        assert "replyword" not in page and "openword" not in page
        assert "a13author" not in page and "a13replier" not in page


def test_a_banned_or_renamed_author_is_never_named_by_a_stored_page(app, w):
    readers = _all_shown(app)
    with app.app_context():
        sanctions.ban_user(db.session.get(User, w["replier"]), _staff(w), "Spam.")
        db.session.execute(update(User).where(User.id == w["author"])
                           .values(username="a13newname"))
        db.session.commit()
    for reader in readers:
        page = _text(reader.get(Q))
        assert "a13author" not in page and "a13replier" not in page


# ---- products ------------------------------------------------------------------------------

def test_a_product_renamed_shows_its_new_name_at_once(app, w):
    with app.app_context():
        board = db.session.get(Board, w["board"])
        product = make_product(board=board, staff=_staff(w), slug="a13thing")
        db.session.execute(update(Product).where(Product.id == product.id)
                           .values(name="Quokkaword gadget", summary="Quokkaword gizmo"))
        db.session.commit()
        search.enqueue("product", [product.id])
        db.session.commit()
        search.drain()
        product_id = product.id
    readers = _readers(app)
    for reader in readers:
        assert "gizmo" in _stored(reader)
    with app.app_context():
        db.session.execute(update(Product).where(Product.id == product_id)
                           .values(name="Quokkaword widget", summary="Quokkaword plain"))
        db.session.commit()
    for reader in readers:
        page = _results(reader.get(Q))
        assert "gizmo" not in page and "gadget" not in page and "plain" in page


# ---- the lag: which hits, at most the stated seconds ---------------------------------------

@pytest.fixture
def clock(app, monkeypatch):
    app.config["PAGE_CACHE_LIVE_SECONDS"] = 5
    fake = types.SimpleNamespace(now=serving.time.time())
    fake.time = lambda: fake.now
    monkeypatch.setattr(serving, "time", fake)
    return fake


def test_a_new_hit_shows_within_the_stated_seconds_and_no_later(app, w, clock):
    readers = _readers(app)
    for reader in readers:
        assert "lateword" not in _stored(reader)
    with app.app_context():
        # To a thread the page does not show: its reply changes only the index.
        forum.reply(db.session.get(Thread, w["quiet"]), make_user(), "Quokkaword lateword.")
        search.drain()
    for reader in readers:
        assert _cached(reader.get(Q)) == "hit"  # may lag...
    clock.now += 5
    for reader in readers:
        assert "lateword" in _results(reader.get(Q))  # ...but not longer


def test_a_suggestion_from_a_hidden_post_is_gone_within_the_stated_seconds(app, w, clock):
    """ "Did you mean" reads search_words and search_documents, both live: a suggestion
    drawn from a post hidden since may stay for the lag (as results may), never longer."""
    with app.app_context():
        post = forum.reply(db.session.get(Thread, w["second"]), make_user(),
                           "Quibblezork is a word only this post holds.")
        search.drain()
        post_id = post.id
    path = "/search?q=quibblezorq"
    readers = _readers(app)
    for reader in readers:
        page = _stored(reader, path)
        assert 'data-testid="did-you-mean"' in page and "quibblezork" in page
    with app.app_context():
        moderation.set_post_hidden(db.session.get(Post, post_id), _staff(w), True)
        search.drain()  # whoosh's outbox (a drain runs after every request that wrote)
    clock.now += 5
    for reader in readers:
        assert "quibblezork" not in _text(reader.get(path)).lower()
    # Not a stored page either: one drawn now (whoosh counts a deleted document's words
    # until its segment is merged away; PostgreSQL's counts are the rows as they are).
    fresh = app.test_client().get(path + "&sort=date")
    assert _cached(fresh) == "miss" and "quibblezork" not in _text(fresh).lower()


def test_a_hidden_hit_goes_at_once_even_inside_the_lag(app, w, clock):
    readers = _readers(app)
    for reader in readers:
        assert "replyword" in _stored(reader)
    with app.app_context():
        moderation.set_post_hidden(db.session.get(Post, w["reply"]), _staff(w), True)
    for reader in readers:
        page = reader.get(Q)
        assert _cached(page) != "hit" and "replyword" not in _results(page)


def test_a_page_drawn_inside_the_lag_does_not_extend_it(app, w, clock):
    """A stored page is drawn again once its lag is over: the new copy shows the new hit,
    it does not carry the old answer on for another five seconds."""
    visitor = app.test_client()
    _stored(visitor)
    with app.app_context():
        forum.reply(db.session.get(Thread, w["quiet"]), make_user(), "Quokkaword firstlate.")
        search.drain()
    clock.now += 4
    assert _cached(visitor.get(Q)) == "hit"
    with app.app_context():
        forum.reply(db.session.get(Thread, w["quiet"]), make_user(), "Quokkaword secondlate.")
        search.drain()
    clock.now += 1
    page = _results(visitor.get(Q))
    assert "firstlate" in page and "secondlate" in page


# ---- the API's search ----------------------------------------------------------------------

def test_the_api_search_shows_a_hide_and_an_edit_at_once(app, w):
    api = app.test_client()
    path = "/api/v1/search?q=quokkaword"
    first = api.get(path)
    assert first.status_code == 200
    assert _cached(first) is None and _cached(api.get(path)) is None  # never a stored page
    assert any("replyword" in hit["snippet"].replace("<mark>", "").replace("</mark>", "")
               for hit in first.get_json()["items"])
    with app.app_context():
        moderation.set_post_hidden(db.session.get(Post, w["reply"]), _staff(w), True)
        opening = db.session.scalar(select(Post).where(Post.thread_id == w["thread"],
                                                       Post.position == 0))
        forum.edit_post(opening, opening.author, "Quokkaword rewritten.", title="Quokkaword new")
    again = api.get(path).get_json()["items"]
    shown = " ".join(f"{h['title']} {h['snippet']}" for h in again)
    shown = shown.replace("<mark>", "").replace("</mark>", "")
    assert "replyword" not in shown and "openword" not in shown and "Quokkaword talk" not in shown


# ---- the `= ANY` narrowing: never the wrong keys ---------------------------------------------

def _keys_of(app, statement, params=None):
    with app.app_context():
        with dependencies.recording() as reads:
            db.session.execute(statement, params or {}).all()
        db.session.rollback()
        return reads.keys


def _ids():
    return bindparam("ids", type_=ARRAY(Integer))


def _safe_for(keys, table, ids):
    """A read of `table`'s rows `ids` is safe if it depends on the whole table or on each
    of those rows by key (a write to any of them moves one of its keys)."""
    return table in keys or all(f"{table}.id={i}" in keys for i in ids)


def test_any_of_a_parameter_is_read_by_exactly_its_keys(app, w):
    _pg(app)
    ids = [w["thread"], w["second"]]
    keys = _keys_of(app, select(Thread.id, Thread.title).where(Thread.id == any_(_ids())),
                    {"ids": ids})
    assert _safe_for(keys, "threads", ids)
    keys = _keys_of(app, select(Thread.id).where(Thread.id == any_(_ids())),
                    {"ids": tuple(ids)})
    assert _safe_for(keys, "threads", ids)
    # reversed: ANY(:ids) = threads.id
    keys = _keys_of(app, select(Thread.id).where(any_(_ids()) == Thread.id), {"ids": ids})
    assert _safe_for(keys, "threads", ids)
    # a literal array (an anonymous parameter)
    keys = _keys_of(app, select(Thread.id).where(
        Thread.id == any_(literal(ids, ARRAY(Integer)))))
    assert _safe_for(keys, "threads", ids)


def test_any_of_whole_objects_notes_their_joined_rows(app, w):
    """select(Thread) by `= ANY`: its eager-joined board and author are noted as they
    load (by key), or their tables whole."""
    _pg(app)
    with app.app_context():
        board_id, author_id = db.session.execute(select(Thread.board_id, Thread.author_id)
                                                 .where(Thread.id == w["thread"])).one()
    keys = _keys_of(app, select(Thread).where(Thread.id == any_(_ids())),
                    {"ids": [w["thread"]]})
    assert _safe_for(keys, "threads", [w["thread"]])
    assert "boards" in keys or f"boards.id={board_id}" in keys, sorted(keys)
    assert "users" in keys or f"users.id={author_id}" in keys, sorted(keys)


@pytest.mark.xfail(strict=True, reason="a key given as text to an integer column is noted as "
                   "given (threads.id=01) where PostgreSQL reads row 1: latent, every caller "
                   "passes integers, and as old as the = and IN narrowing; the fix is to note "
                   "a key in its column's type")
@pytest.mark.parametrize("how", ["any", "equals"])
def test_a_key_is_noted_as_the_row_it_reads_not_as_the_text_it_was_given(app, w, how):
    """PostgreSQL casts the parameter to the column's type (`'01'::integer` is 1): a read
    given the id as text, with a leading zero, reads row 1. Its key must be that row's
    (threads.id=1), which a write of the row moves, not threads.id=01, which none does.
    (Latent: the loaders pass integers from search_documents; `=` and IN note keys alike.)"""
    _pg(app)
    given = f"0{w['thread']}"
    if how == "any":
        statement, params = select(Thread.id).where(Thread.id == any_(_ids())), {"ids": [given]}
    else:
        statement = select(Thread.id).where(Thread.id == bindparam("x", type_=Integer))
        params = {"x": given}
    with app.app_context():
        assert db.session.execute(statement, params).scalars().all() == [w["thread"]]
        db.session.rollback()
    keys = _keys_of(app, statement, params)
    assert _safe_for(keys, "threads", [w["thread"]]), sorted(keys)


@pytest.mark.parametrize("shape", ["column", "scalar_subquery", "cast", "not_equal", "all",
                                   "or", "negated", "function_of_column", "null"])
def test_any_that_is_not_a_parameter_list_reads_the_whole_table(app, w, shape):
    """`= ANY` of a column, a subquery, a cast, `!= ANY`, `= ALL`, an OR, a NOT, a
    function of the key column, a NULL array: none of them names the rows it reads."""
    _pg(app)
    ids = [w["thread"], w["second"]]
    params = {"ids": ids}
    if shape == "column":
        arrays = (select(func.array_agg(Post.thread_id).label("a"))
                  .where(Post.author_id == w["replier"]).subquery())
        statement = select(Thread.id).select_from(Thread).join(arrays, true()).where(
            Thread.id == any_(arrays.c.a))
        read = [w["thread"]]
    elif shape == "scalar_subquery":
        statement = select(Thread.id).where(Thread.id == any_(
            select(Post.thread_id).where(Post.author_id == w["replier"]).scalar_subquery()))
        read = [w["thread"]]
    elif shape == "cast":
        statement = select(Thread.id).where(Thread.id == any_(
            cast(bindparam("ids", type_=ARRAY(String)), ARRAY(Integer))))
        params, read = {"ids": [str(i) for i in ids]}, ids
    elif shape == "not_equal":
        statement = select(Thread.id).where(Thread.id != any_(_ids()))
        read = []
    elif shape == "all":
        statement = select(Thread.id).where(Thread.id == all_(_ids()))
        params, read = {"ids": [w["thread"]]}, [w["thread"]]
    elif shape == "or":
        statement = select(Thread.id).where(or_(Thread.id == any_(_ids()),
                                                Thread.title == "Quokkaword second"))
        read = ids
    elif shape == "negated":
        statement = select(Thread.id).where(~and_(Thread.id == any_(_ids()),
                                                  Thread.hidden.is_(False)))
        read = []
    elif shape == "function_of_column":
        statement = select(Thread.id).where((Thread.id + 0) == any_(_ids()))
        read = ids
    else:
        statement = select(Thread.id).where(Thread.id == any_(_ids()))
        params, read = {"ids": None}, []
    keys = _keys_of(app, statement, params)
    assert "threads" in keys or (read and _safe_for(keys, "threads", read)), sorted(keys)
    if shape in ("column", "scalar_subquery"):
        assert "posts" in keys, sorted(keys)


def test_any_through_the_drivers_path_is_read_by_its_keys(app, w):
    """The loaders' path (kernel/compiled.py): a list flattened to name_1, name_2..."""
    _pg(app)
    ids = [w["thread"], w["second"], 999_999]
    statement = select(Thread.id, Thread.title).where(Thread.id == any_(
        bindparam("id_array", type_=ARRAY(Integer))), Thread.hidden.is_(False))
    with app.app_context():
        with dependencies.recording() as reads:
            rows_of(statement, id_array=ids)
        assert _safe_for(reads.keys, "threads", ids), sorted(reads.keys)
        # A row that does not exist yet is named too: its INSERT makes the read stale.
        assert "threads.id=999999" in reads.keys or "threads" in reads.keys
        db.session.rollback()


def test_a_search_page_does_not_depend_on_rows_it_does_not_show(app, w):
    """The narrowing is no wider than it should be either (no whole-table reads of the
    shown tables), and no narrower: every shown row is among its keys."""
    _pg(app)
    visitor = app.test_client()
    _stored(visitor)
    store = serving.cache(app)
    deps = next(set(found[3].deps) for key, found in store._pages.items()
                if key.endswith("/search?q=quokkaword"))
    assert "*" not in deps
    for table in ("threads", "posts", "ideas"):
        assert table not in deps, table
    for thread_id in (w["thread"], w["second"], w["idea_thread"]):
        assert f"threads.id={thread_id}" in deps
        assert f"posts.thread_id={thread_id}" in deps
    assert f"posts.id={w['reply']}" in deps and f"ideas.id={w['idea']}" in deps
