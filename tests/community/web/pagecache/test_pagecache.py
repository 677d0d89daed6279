"""Visitors' pages come from the cache until something they show changes (community/web/pagecache/serving.py).

The whole suite runs with the cache on (memory:// per test app), so every test that reads
a page as a visitor after a write also checks the invalidation; these tests pin down the
rules themselves.
"""

import re
import uuid
from datetime import timedelta

import itsdangerous
import pytest
import redis
from helpers import (
    PASSWORD,
    build_app,
    make_board,
    make_product,
    make_thread,
    make_user,
    unfilled_marks,
)
from querycount import counting
from sqlalchemy import update

from community.accounts.models import User
from community.forum import service as forum
from community.ideas import service as ideas
from community.kernel import database
from community.kernel.extensions import db
from community.notifications.models import Notification
from community.web.pagecache import serving
from products.orders import referrals

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def world(app):
    # No app context stays pushed: each request gets its own `g`, as in production.
    with app.app_context():
        board = make_board(slug="talk", name="Talk")
        fan = make_user("lin")
        thread = make_thread(board, fan, title="Battery life on the go")
        idea = ideas.propose(board, fan, "Longer battery", "Please.")
        return {"board": board.slug, "fan": fan.username, "thread": thread.id, "idea": idea.id}


def _cached(response):
    return response.headers.get("X-Page-Cache")


def test_a_visitor_gets_the_stored_page_without_sql(app, world):
    visitor = app.test_client()
    first = visitor.get(f"/t/{world['thread']}")
    assert first.status_code == 200 and _cached(first) == "miss"
    with counting(app) as statements:
        again = visitor.get(f"/t/{world['thread']}")
    assert _cached(again) == "hit" and statements == []
    assert again.get_data(as_text=True).count("Battery life on the go") == \
        first.get_data(as_text=True).count("Battery life on the go")


def test_a_reply_shows_to_visitors_at_once(app, world):
    visitor, author = app.test_client(), app.test_client()
    path = f"/t/{world['thread']}"
    visitor.get(path)
    assert _cached(visitor.get(path)) == "hit"
    author.post("/login", data={"login": world["fan"], "password": PASSWORD})
    author.post(f"{path}/reply", data={"body": "Charging at 65 W would do it"})
    fresh = visitor.get(path)
    assert _cached(fresh) == "miss"
    assert "Charging at 65 W would do it" in fresh.get_data(as_text=True)


def test_a_vote_moves_the_count_visitors_see(app, world):
    visitor = app.test_client()
    path = f"/ideas/{world['idea']}"
    visitor.get(path)
    voter = app.test_client()
    with app.app_context():
        name = make_user().username
    voter.post("/login", data={"login": name, "password": PASSWORD})
    before = _vote_count(visitor.get(path).get_data(as_text=True))
    voter.post(f"/ideas/{world['idea']}/vote")
    assert _vote_count(visitor.get(path).get_data(as_text=True)) == before + 1


def _vote_count(html):
    return int(re.search(r'data-testid="vote-count"[^>]*>\s*(\d+)', html).group(1))


def test_signed_in_readers_never_get_a_visitors_copy(app, world):
    visitor, fan = app.test_client(), app.test_client()
    visitor.get("/")
    fan.post("/login", data={"login": world["fan"], "password": PASSWORD})
    page = fan.get("/")
    assert _cached(page) == "miss"  # the fans' own copy (tests/community/web/pagecache/test_member_pages.py)
    assert f">{world['fan']}</a>" in page.get_data(as_text=True)
    again = visitor.get("/")
    assert _cached(again) == "hit" and 'class="me"' not in again.get_data(as_text=True)
    # A page not shared among signed-in readers is rendered for each of them.
    assert _cached(fan.get(f"/u/{world['fan']}")) is None


def _signed_later(monkeypatch, seconds=60):
    """Signatures from now on carry a later time, as a page asked for a minute later."""
    signed_at = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: signed_at(self) + seconds)


def _form_token(html):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _sign_in(app, name):
    """A client signed in through the form, as a browser is."""
    client = app.test_client()
    token = _form_token(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"login": name, "password": PASSWORD,
                                         "csrf_token": token})
    assert answer.status_code == 302
    return client


def test_a_visitors_page_carries_no_token_and_starts_no_session(tmp_path):
    """A visitor is shown no form that needs a token (the language switch takes none), so
    their page, stored or drawn, sets no cookie: nothing per reader rides a shared page."""
    app = build_app(f"sqlite:///{tmp_path}/csrf.sqlite3", tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        path = f"/t/{make_thread(title='Forms on a stored page').id}"
        make_user("lin")
    one, two = app.test_client(), app.test_client()
    first, second = one.get(path), two.get(path)
    assert (_cached(first), _cached(second)) == ("miss", "hit")
    for page in (first, second):
        html = page.get_data(as_text=True)
        assert page.headers.getlist("Set-Cookie") == [] and unfilled_marks(app, html) == []
        assert 'name="csrf-token"' not in html
        assert set(re.findall(r'name="csrf_token"[^>]*value="([^"]*)"', html)) == {""}
    switched = two.post("/locale", data={"locale": "zh", "next": path})
    assert switched.status_code == 302 and switched.headers["Location"] == path
    assert 'lang="zh-CN"' in two.get(path).get_data(as_text=True)
    assert 'lang="en"' in one.get(path).get_data(as_text=True)
    # A member's switch saves to their account: it takes their token, as every form does.
    fan = _sign_in(app, "lin")
    html = fan.get(path).get_data(as_text=True)
    token = _csrf(html)
    assert set(re.findall(r'name="csrf_token"[^>]*value="([^"]*)"', html)) == {token}
    assert fan.post("/locale", data={"locale": "zh", "next": path}).status_code == 400
    assert fan.post("/locale", data={"locale": "zh", "next": path,
                                     "csrf_token": token}).status_code == 302
    assert 'lang="zh-CN"' in fan.get(path).get_data(as_text=True)


def test_each_member_gets_their_own_csrf_token_and_it_works(tmp_path, monkeypatch):
    app = build_app(f"sqlite:///{tmp_path}/csrf.sqlite3", tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        path = f"/t/{make_thread(title='Forms on a stored page').id}"
        make_user("lin"), make_user("mei")
    one, two = _sign_in(app, "lin"), _sign_in(app, "mei")
    # The thread page has a WTForms reply form besides the header's plain forms.
    first, second = one.get(path), two.get(path)
    assert (_cached(first), _cached(second)) == ("miss", "hit")
    tokens = [_csrf(page.get_data(as_text=True)) for page in (first, second)]
    assert tokens[0] != tokens[1]
    for page, token in zip((first, second), tokens, strict=True):
        html = page.get_data(as_text=True)
        assert unfilled_marks(app, html) == []
        assert set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', html)) == {token}
    # The token in the stored page is the second member's own: the language switch takes it.
    _signed_later(monkeypatch)
    assert _csrf(two.get(path).get_data(as_text=True)) == tokens[1]  # signed once per session
    switched = two.post("/locale", data={"locale": "zh", "csrf_token": tokens[1], "next": path})
    assert switched.status_code == 302
    assert 'lang="zh-CN"' in two.get(path).get_data(as_text=True)


def _csrf(html):
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_tokens_with_a_time_limit_are_signed_for_each_page(tmp_path, monkeypatch):
    """With WTF_CSRF_TIME_LIMIT a signature expires, so each page gets a fresh one."""
    app = build_app(f"sqlite:///{tmp_path}/csrf.sqlite3", tmp_path, WTF_CSRF_ENABLED=True,
                    WTF_CSRF_TIME_LIMIT=3600)
    with app.app_context():
        db.create_all()
        make_user("lin")
    member = _sign_in(app, "lin")
    first = _csrf(member.get("/ideas").get_data(as_text=True))
    _signed_later(monkeypatch)
    later = _csrf(member.get("/ideas").get_data(as_text=True))
    assert later != first
    assert member.post("/locale", data={"locale": "zh", "csrf_token": later}).status_code == 302


def test_each_language_has_its_own_page(app, world):
    english, chinese = app.test_client(), app.test_client()
    english.get("/ideas")
    page = chinese.get("/ideas", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert _cached(page) == "miss" and 'lang="zh-CN"' in page.get_data(as_text=True)
    assert 'lang="en"' in english.get("/ideas").get_data(as_text=True)


def test_a_page_with_a_message_to_show_is_neither_served_nor_stored(app, world):
    visitor = app.test_client()
    visitor.get("/")
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "Your idea was merged")]
    page = visitor.get("/")
    assert _cached(page) is None and "Your idea was merged" in page.get_data(as_text=True)
    assert _cached(visitor.get("/")) == "hit"


def test_a_page_that_sets_a_cookie_is_not_stored(app, world):
    with app.app_context():
        code = referrals.code_for(make_user("sharer").id)
    visitor = app.test_client()
    for _ in range(2):
        page = visitor.get(f"/t/{world['thread']}?ref={code}")
        assert page.status_code == 200 and _cached(page) is None
        assert referrals.COOKIE in page.headers.get("Set-Cookie", "")


def test_error_pages_carry_a_real_token_and_are_not_stored(app, world):
    visitor = app.test_client()
    for _ in range(2):
        page = visitor.get("/t/999999")
        assert page.status_code == 404 and _cached(page) is None
        assert unfilled_marks(app, page.get_data(as_text=True)) == []


def test_a_write_makes_stale_only_the_pages_that_show_it(app, world):
    with app.app_context():
        user_id = make_user().id
        other = make_thread(title="Elsewhere").id
    visitor = app.test_client()
    pages = (f"/t/{world['thread']}", f"/t/{other}")
    for path in pages:
        visitor.get(path)
        assert _cached(visitor.get(path)) == "hit"
    with app.app_context():  # a write nobody sees signed out: every page stays
        _read_notifications(user_id)
    assert [_cached(visitor.get(path)) for path in pages] == ["hit", "hit"]
    with app.app_context():
        user = db.session.get(User, user_id)
        forum.reply(forum.get_thread(world["thread"], user), user, "A visible reply")
    replied = visitor.get(pages[0])
    assert _cached(replied) == "miss" and "A visible reply" in replied.get_data(as_text=True)
    # Another thread's page is as it was, on both databases: the reply's UPDATE of its
    # thread names the thread's rows by its RETURNING (community/kernel/dependencies/).
    assert _cached(visitor.get(pages[1])) == "hit"


def _read_notifications(user_id):
    db.session.execute(update(Notification).where(Notification.user_id == user_id)
                       .values(read_at=database.utcnow()))
    db.session.commit()


def test_a_rolled_back_write_keeps_the_pages(app, world):
    with app.app_context():
        store = serving.cache()
        board, user = make_board(), make_user()
        settled = serving.generation(store)
        with pytest.raises(RuntimeError), database.transaction():
            forum.add_thread(board.id, user, "Never", "posted")
            db.session.flush()
            raise RuntimeError("changed my mind")
        assert serving.generation(store) == settled
        # The thread it flushed is forgotten: the next commit, private only, moves nothing.
        _read_notifications(user.id)
        assert serving.generation(store) == settled


def test_a_page_is_at_most_a_minute_behind_the_clock(app, world, monkeypatch):
    visitor = app.test_client()
    visitor.get("/rounds")
    assert _cached(visitor.get("/rounds")) == "hit"
    later = database.utcnow() + timedelta(minutes=1)
    monkeypatch.setattr(database, "utcnow", lambda: later)
    assert _cached(visitor.get("/rounds")) == "miss"


def test_a_stored_product_page_still_counts_its_views(app, world):
    from products.catalog import views_counter

    with app.app_context():
        product = make_product()
        slug, product_id = product.slug, product.id
    visitor = app.test_client()
    for _ in range(3):
        visitor.get(f"/products/{slug}")
    assert _cached(visitor.get(f"/products/{slug}")) == "hit"
    with app.app_context():
        assert views_counter.pending(product_id) + _stored_views(product_id) == 4


def _stored_views(product_id):
    from products.catalog.models import Product

    return db.session.get(Product, product_id).view_count


def _redis_up():
    try:
        return redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


@pytest.mark.parametrize("store", ["file", "redis"])
def test_workers_sharing_a_store_see_each_others_writes(tmp_path, store):
    """Two apps on one database and one page store: two gunicorn workers."""
    if store == "redis" and not _redis_up():
        pytest.skip("no Redis at " + REDIS)
    url = f"sqlite:///{tmp_path}/shared.sqlite3"
    cache = f"file://{tmp_path}/pages" if store == "file" else REDIS
    prefix = f"fanforge-test:{uuid.uuid4().hex}:"  # parallel tests share the Redis database
    one, two = (build_app(url, tmp_path, CACHE_URL=cache, CACHE_KEY_PREFIX=prefix)
                for _ in range(2))
    with one.app_context():
        db.create_all()
        thread = make_thread(title="Shared")
        thread_id = thread.id
    reader = two.test_client()
    reader.get(f"/t/{thread_id}")
    assert _cached(reader.get(f"/t/{thread_id}")) == "hit"
    with one.app_context():
        user = make_user()
        forum.reply(forum.get_thread(thread_id, user), user, "Written by the other worker")
    page = reader.get(f"/t/{thread_id}")
    assert _cached(page) == "miss" and "Written by the other worker" in page.get_data(as_text=True)


def test_the_cache_can_be_turned_off(tmp_path):
    app = build_app(f"sqlite:///{tmp_path}/off.sqlite3", tmp_path, CACHE_URL="none")
    with app.app_context():
        db.create_all()
    visitor = app.test_client()
    assert [_cached(visitor.get("/")) for _ in range(2)] == [None, None]
