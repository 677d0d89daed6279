"""A stored page is stale once something it read is written, and only then
(community/kernel/dependencies/ notes reads and writes at the driver;
community/web/pagecache/serving.py checks a page's keys against their versions)."""

import re
import types

import pytest
from helpers import PASSWORD, build_app, make_board, make_thread, make_user
from sqlalchemy import func, select, text, update

from community import search
from community.accounts.models import User
from community.forum import moderation
from community.forum import service as forum
from community.forum.models import Board, Post, Thread
from community.ideas import service as ideas
from community.kernel.extensions import db
from community.notifications.models import Notification
from community.web.pagecache import public_page, serving


@pytest.fixture
def world(app):
    with app.app_context():
        board = make_board(slug="talk", name="Talk")
        fan = make_user("lin")
        first = ideas.propose(board, fan, "Longer battery", "Please.")
        # By someone else: the vote's points move the first author's figures.
        second = ideas.propose(board, make_user("mei"), "Brighter screen", "Please.")
        thread = make_thread(board, make_user("wei"), title="Battery life on the go")
        return {"fan": fan.username, "ideas": (first.id, second.id), "thread": thread.id,
                "board": board.slug}


def _cached(response):
    return response.headers.get("X-Page-Cache")


def _stored(client, *paths):
    for path in paths:
        client.get(path)
        assert _cached(client.get(path)) == "hit", path


def _voter(app):
    voter = app.test_client()
    with app.app_context():
        name = make_user().username
    voter.post("/login", data={"login": name, "password": PASSWORD})
    return voter


def _vote_count(html):
    return int(re.search(r'data-testid="vote-count"[^>]*>\s*(\d+)', html).group(1))


def test_a_vote_leaves_other_ideas_pages_stored(app, world):
    visitor = app.test_client()
    voted, other = (f"/ideas/{i}" for i in world["ideas"])
    _stored(visitor, voted, other, f"/t/{world['thread']}")
    voter = _voter(app)
    voter.post(f"{voted}/vote")
    # On both databases the vote's UPDATE of its idea names the idea's board and author
    # by its own RETURNING (community/kernel/dependencies/write_plans.py): pages that
    # read other ideas or users by key stay stored.
    assert _cached(visitor.get(other)) == "hit"
    assert _cached(visitor.get(f"/t/{world['thread']}")) == "hit"
    page = visitor.get(voted)
    assert _cached(page) == "miss" and _vote_count(page.get_data(as_text=True)) == 1
    # Withdrawn: a DELETE by voter and idea, whose rows its RETURNING names.
    voter.post(f"{voted}/vote", data={"vote": "0"})
    assert _cached(visitor.get(other)) == "hit"
    page = visitor.get(voted)
    assert _cached(page) == "miss" and _vote_count(page.get_data(as_text=True)) == 0


def test_a_reply_leaves_lists_that_do_not_show_its_thread_stored(app, world):
    """A list's last posters are read by `posts.thread_id IN (its threads)`: a reply to a
    thread it does not list leaves it stored; a reply to one it lists makes it stale.
    (Its threads' reply counts are live figures, which may lag: here by a minute.)"""
    app.config["PAGE_CACHE_LIVE_SECONDS"] = 60
    visitor = app.test_client()
    with app.app_context():
        elsewhere = make_thread(make_board(), make_user(), title="Another board's talk").id
        repliers = make_user().id, make_user("ren").id
    lists = ("/ideas", f"/b/{world['board']}/ideas", f"/b/{world['board']}")
    _stored(visitor, *lists)
    with app.app_context():
        forum.reply(db.session.get(Thread, elsewhere), db.session.get(User, repliers[0]),
                    "Somewhere else entirely.")
    assert [_cached(visitor.get(path)) for path in lists] == ["hit"] * 3
    with app.app_context():
        forum.reply(db.session.get(Thread, world["thread"]), db.session.get(User, repliers[1]),
                    "On this board.")
    page = visitor.get(f"/b/{world['board']}")
    assert _cached(page) == "miss" and "ren" in page.get_data(as_text=True)


def test_a_vote_count_on_a_list_lags_at_most_the_stated_seconds(app, world, monkeypatch):
    app.config["PAGE_CACHE_LIVE_SECONDS"] = 5
    clock = types.SimpleNamespace(time=serving.time.time)
    monkeypatch.setattr(serving, "time", clock)
    visitor = app.test_client()
    _stored(visitor, "/ideas")
    before = visitor.get("/ideas").get_data(as_text=True)
    _voter(app).post(f"/ideas/{world['ideas'][0]}/vote")
    lagging = visitor.get("/ideas")  # only a count moved: the stored list, a little behind
    assert _cached(lagging) == "hit" and lagging.get_data(as_text=True) == before
    now = clock.time()
    clock.time = lambda: now + 5
    caught_up = visitor.get("/ideas")
    assert _cached(caught_up) == "miss" and caught_up.get_data(as_text=True) != before
    # Anything but a count shows at once, lag or not: a new idea is no live figure.
    with app.app_context():
        board = db.session.scalar(select(Board).where(Board.slug == world["board"]))
        ideas.propose(board, make_user(), "Wireless charging", "Yes.")
    assert "Wireless charging" in visitor.get("/ideas").get_data(as_text=True)


def test_the_leaderboards_lag_a_vote_by_at_most_the_stated_seconds(app, world, monkeypatch):
    """The points ledger is a live table: the votes and replies that write it leave the
    leaderboards stored for the lag, then they show the new points."""
    app.config["PAGE_CACHE_LIVE_SECONDS"] = 5
    clock = types.SimpleNamespace(time=serving.time.time)
    monkeypatch.setattr(serving, "time", clock)
    visitor, voter = app.test_client(), _voter(app)  # a new account is no live write
    _stored(visitor, "/leaderboards")
    before = visitor.get("/leaderboards").get_data(as_text=True)
    voter.post(f"/ideas/{world['ideas'][1]}/vote")  # mei's idea: her points move
    lagging = visitor.get("/leaderboards")
    assert _cached(lagging) == "hit" and lagging.get_data(as_text=True) == before
    now = clock.time()
    clock.time = lambda: now + 5
    caught_up = visitor.get("/leaderboards")
    assert _cached(caught_up) == "miss" and caught_up.get_data(as_text=True) != before


def test_search_results_lag_a_new_idea_by_at_most_the_stated_seconds(app, world, monkeypatch):
    """Every reply, idea and edit changes the search index (whoosh's outbox, PostgreSQL's
    search_documents), a live table: a stored search page keeps its results for the lag,
    then finds the new idea."""
    app.config["PAGE_CACHE_LIVE_SECONDS"] = 5
    clock = types.SimpleNamespace(time=serving.time.time)
    monkeypatch.setattr(serving, "time", clock)
    with app.app_context():
        search.drain()
    visitor = app.test_client()
    _stored(visitor, "/search?q=battery")
    before = visitor.get("/search?q=battery").get_data(as_text=True)
    assert "sleeve" not in before and "Longer" in before
    with app.app_context():
        board = db.session.scalar(select(Board).where(Board.slug == world["board"]))
        ideas.propose(board, make_user(), "Battery sleeve", "Please.")
        search.drain()
    lagging = visitor.get("/search?q=battery")
    assert _cached(lagging) == "hit" and lagging.get_data(as_text=True) == before
    now = clock.time()
    clock.time = lambda: now + 5
    caught_up = visitor.get("/search?q=battery")
    assert _cached(caught_up) == "miss" and "sleeve" in caught_up.get_data(as_text=True)


def test_hiding_a_search_hit_shows_at_once_though_results_may_lag(app, world, monkeypatch):
    """What a hit shows is read by key (its thread, its opening post): hiding either is no
    live write, so a stored results page drops it at once, lag or not."""
    app.config["PAGE_CACHE_LIVE_SECONDS"] = 60
    with app.app_context():
        board = db.session.scalar(select(Board).where(Board.slug == world["board"]))
        idea = ideas.propose(board, make_user(), "Quince charger", "Quince secret plans.")
        other = make_thread(board, make_user(), title="Quince talk", body="About quince.")
        staff_id = make_user(role="admin").id
        search.drain()
        thread_of_idea, other_id = idea.thread_id, other.id
    visitor = app.test_client()
    _stored(visitor, "/search?q=quince")
    assert "secret plans" in visitor.get("/search?q=quince").get_data(as_text=True)
    with app.app_context():
        opening = db.session.scalar(select(Post).where(Post.thread_id == thread_of_idea,
                                                       Post.position == 0))
        moderation.set_post_hidden(opening, db.session.get(User, staff_id), True)
    page = visitor.get("/search?q=quince")
    assert _cached(page) == "miss" and "secret plans" not in page.get_data(as_text=True)
    assert "Quince talk" in page.get_data(as_text=True).replace("<mark>", "").replace("</mark>", "")
    _stored(visitor, "/search?q=quince")
    with app.app_context():
        moderation.set_thread_hidden(db.session.get(Thread, other_id),
                                     db.session.get(User, staff_id), True)
    page = visitor.get("/search?q=quince")
    text = page.get_data(as_text=True).replace("<mark>", "").replace("</mark>", "")
    assert _cached(page) == "miss" and "Quince talk" not in text


def test_a_search_page_stays_stored_through_a_reply_to_a_thread_it_does_not_show(app, world):
    """A results page depends on the rows its hits show, by key, and on the index, a live
    table: a reply elsewhere leaves it stored (on PostgreSQL too, whose loaders read by
    `id = ANY(:ids)` and whose "did you mean" counts documents), a reply to a hit does not."""
    app.config["PAGE_CACHE_LIVE_SECONDS"] = 60
    with app.app_context():
        board = db.session.scalar(select(Board).where(Board.slug == world["board"]))
        elsewhere = make_thread(board, make_user(), title="Screen glare", body="Too bright.")
        search.drain()
        elsewhere_id, replier_id = elsewhere.id, make_user().id
    visitor = app.test_client()
    paths = ["/search?q=battery", "/search?q=baterry"]  # the second suggests "battery"
    _stored(visitor, *paths)
    assert "battery" in visitor.get(paths[1]).get_data(as_text=True).lower()
    with app.app_context():
        forum.reply(db.session.get(Thread, elsewhere_id), db.session.get(User, replier_id),
                    "Mine too.")
        search.drain()
    assert [_cached(visitor.get(path)) for path in paths] == ["hit", "hit"]
    with app.app_context():
        forum.reply(db.session.get(Thread, world["thread"]), db.session.get(User, replier_id),
                    "A whole day.")
    assert _cached(visitor.get(paths[0])) == "miss"


def test_a_page_that_reads_a_private_table_is_never_shared(tmp_path):
    app = build_app(f"sqlite:///{tmp_path}/peek.sqlite3", tmp_path)

    @public_page
    def unread():  # a careless view: a shared page showing a count of private rows
        return f"<p>{db.session.scalar(select(func.count()).select_from(Notification))}</p>"

    app.add_url_rule("/unread", view_func=unread)
    with app.app_context():
        db.create_all()
    with pytest.raises(RuntimeError, match="notifications"):  # the tests run strict
        app.test_client().get("/unread")
    app.config["PAGE_CACHE_STRICT"] = False
    visitor = app.test_client()
    for _ in range(2):  # in production: served, never stored
        page = visitor.get("/unread")
        assert page.status_code == 200 and _cached(page) is None


def test_sql_nobody_can_read_makes_every_page_stale(app, world):
    visitor = app.test_client()
    path = f"/t/{world['thread']}"
    _stored(visitor, path)
    with app.app_context():
        db.session.execute(text("UPDATE threads SET title = 'Renamed by hand' WHERE id = :id"),
                           {"id": world["thread"]})
        db.session.commit()
    page = visitor.get(path)
    assert _cached(page) == "miss" and "Renamed by hand" in page.get_data(as_text=True)
    _stored(visitor, path)
    with app.app_context():  # a CTE that ends in a write is no read
        db.session.execute(text("WITH t AS (SELECT :id AS id) UPDATE threads SET title = "
                                "'Renamed again' WHERE id IN (SELECT id FROM t)"),
                           {"id": world["thread"]})
        db.session.commit()
    assert "Renamed again" in visitor.get(path).get_data(as_text=True)


def test_a_write_whose_rows_cannot_be_named_moves_every_read_of_its_table(app, world):
    visitor = app.test_client()
    path = f"/t/{world['thread']}"
    _stored(visitor, path)
    with app.app_context():  # no key in its WHERE: which rows it wrote is unknown
        db.session.execute(update(Thread).where(Thread.title.like("Battery%"))
                           .values(title="Battery, renamed"))
        db.session.commit()
    page = visitor.get(path)
    assert _cached(page) == "miss" and "Battery, renamed" in page.get_data(as_text=True)


def test_workers_sharing_the_embedded_store_see_each_others_writes(tmp_path):
    url = f"sqlite:///{tmp_path}/shared.sqlite3"
    store = f"file://{tmp_path}/pages.sqlite3"
    first = build_app(url, tmp_path, CACHE_URL=store)
    second = build_app(url, tmp_path, CACHE_URL=store)  # another worker: its own store object
    with first.app_context():
        db.create_all()
        fan = make_user("lin")
        thread_id, other_id = make_thread(title="One").id, make_thread(title="Two").id
        fan_id = fan.id
    reader = second.test_client()
    _stored(reader, f"/t/{thread_id}", f"/t/{other_id}")
    with first.app_context():  # a reply written by the first worker
        user = db.session.get(User, fan_id)
        forum.reply(forum.get_thread(thread_id, user), user, "From the other worker")
    page = reader.get(f"/t/{thread_id}")
    assert _cached(page) == "miss" and "From the other worker" in page.get_data(as_text=True)
    assert _cached(reader.get(f"/t/{other_id}")) == "hit"
