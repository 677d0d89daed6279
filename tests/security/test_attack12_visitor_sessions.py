"""Attack 12 (an outsider, after visitors' pages stopped carrying a CSRF token and starting
a session, after whoosh answers were memoized per process and after unread badges were
drawn once per list).

- POST /locale is now CSRF-exempt for visitors and checks the token only for signed-in
  members: forge it for members in every way a browser or a client can send it (no
  token, a visitor page's empty token, another session's token, JSON, GET/HEAD, a
  remember-me cookie alone, an API bearer token, a cookieless cross-site POST), and try
  to make it redirect off the site or store anything but a known language.
- Visitors' pages: walk every public page with CSRF on; none may set a cookie, leave a
  mark unfilled, or show a form that then fails for want of a token (the language
  switch, sign-in, sign-up, the dummy gateway's card and confirm forms).
- Stored pages: a member's token must never reach a visitor's copy, nor a visitor's
  session token another visitor's copy, nor one member's token another member's.
- The search memo: answers must not cross kinds or boards, hidden, deleted or circle rows
  must drop at once, a drain must show new rows, the memo must stay bounded, and an
  answer cut short by the time limit must not be kept for everyone after.
- Unread badges: each row keeps its own count, each reader their own badges.
"""

import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

sys.path.insert(0, str(Path(__file__).parents[1] / "community" / "web" / "pagecache"))
sys.path.insert(0, str(Path(__file__).parents[1] / "products" / "payments"))

from freshness_world import Site  # noqa: E402
from helpers import PASSWORD, build_app, make_board, make_thread, make_user, unfilled_marks  # noqa: E402
from paying import NEEDS_ACTION, SUCCEEDS, charging_campaign, place, start  # noqa: E402

from community import search  # noqa: E402
from community.accounts import service as accounts  # noqa: E402
from community.accounts import tokens  # noqa: E402
from community.accounts.models import User  # noqa: E402
from community.forum import moderation  # noqa: E402
from community.forum import service as forum  # noqa: E402
from community.forum.models import Post, Thread  # noqa: E402
from community.kernel.extensions import db  # noqa: E402
from community.search import index as search_index  # noqa: E402
from community.search import query as search_query  # noqa: E402
from community.search.index import get_index  # noqa: E402

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)
FORM_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]*)"')
META_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


# ---- helpers -----------------------------------------------------------------

@pytest.fixture
def capp(app, tmp_path):
    """`app`'s database and search index, served with CSRF on, as in production."""
    other = build_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, WTF_CSRF_ENABLED=True)
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _cached(response):
    return response.headers.get("X-Page-Cache")


def _cookies_set(response):
    return response.headers.getlist("Set-Cookie")


def _form_token(html):
    """The token of the page's form that has one (the header's language switch has none
    for a visitor): what a browser sends with that form."""
    found = [token for token in FORM_TOKEN.findall(html) if token]
    return found[0] if found else None


def _sign_in(app, name, remember=False):
    """Signed in through the form with its token, as a browser is."""
    client = app.test_client()
    token = _form_token(client.get("/login").get_data(as_text=True))
    data = {"login": name, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    answer = client.post("/login", data=data)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    return client


def _member_token(client, path="/settings"):
    return META_TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def _account_locale(app, name):
    with app.app_context():
        locale = accounts.get_by_username(name).locale
        db.session.remove()
        return locale


def _lang(client, path="/"):
    return re.search(r'<html lang="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def _signed_in_as(client, name):
    page = client.get("/settings")
    return page.status_code == 200 and f'class="me">{name}<' in page.get_data(as_text=True)


@pytest.fixture
def member_world(capp):
    with capp.app_context():
        thread = make_thread(title="A12 forms on a stored page")
        make_user("a12lin"), make_user("a12mei")
        return {"path": f"/t/{thread.id}"}


# ---- /locale: a member's language and account ------------------------------------

def test_member_locale_switch_needs_their_token_in_every_form(capp, member_world):
    """No token, a visitor page's empty token, another member's token, a token sent under
    another name, a JSON body, GET and HEAD: none changes the member's account."""
    app = capp
    lin, mei = _sign_in(app, "a12lin"), _sign_in(app, "a12mei")
    theirs = _member_token(mei)
    forged = [
        lin.post("/locale", data={"locale": "zh"}),
        lin.post("/locale", data={"locale": "zh", "csrf_token": ""}),
        lin.post("/locale", data={"locale": "zh", "csrf_token": theirs}),
        lin.post("/locale", data={"locale": "zh", "csrf-token": theirs}),
        lin.post("/locale", json={"locale": "zh"}),
        lin.post("/locale", json={"locale": "zh", "csrf_token": theirs}),
        lin.post("/locale", data={"locale": "zh"}, headers={"X-CSRFToken": theirs}),
        lin.post("/locale", data={"locale": "zh"},
                 headers={"Origin": "https://evil.example", "Referer": "https://evil.example/"}),
    ]
    assert [r.status_code for r in forged] == [400] * len(forged)
    for method in ("GET", "HEAD", "PUT", "PATCH", "DELETE"):
        answer = lin.open("/locale?locale=zh", method=method, data={"locale": "zh"})
        assert answer.status_code in (400, 405), method
    assert _account_locale(app, "a12lin") is None
    assert _lang(lin) == "en"
    # Their own token still works, in the form or in the header site.js sends.
    mine = _member_token(lin)
    assert lin.post("/locale", data={"locale": "zh", "csrf_token": mine}).status_code == 302
    assert _account_locale(app, "a12lin") == "zh"
    assert lin.post("/locale", data={"locale": "en"},
                    headers={"X-CSRFToken": mine}).status_code == 302
    assert _account_locale(app, "a12lin") == "en"


def test_remember_cookie_alone_is_still_a_member_who_needs_a_token(capp, member_world):
    app = capp
    lin = _sign_in(app, "a12lin", remember=True)
    remembered = app.test_client()
    remembered.set_cookie("remember_token", lin.get_cookie("remember_token").value)
    answer = remembered.post("/locale", data={"locale": "zh", "next": member_world["path"]})
    assert answer.status_code == 400
    assert _account_locale(app, "a12lin") is None


def test_a_bearer_token_cannot_reach_the_account_through_locale(capp, member_world):
    app = capp
    with app.app_context():
        bearer = tokens.create_token(accounts.get_by_username("a12lin"), "a12")[1]
    answer = app.test_client().post("/locale", data={"locale": "zh"},
                                    headers={"Authorization": f"Bearer {bearer}"})
    assert answer.status_code in (302, 400, 401, 403)
    assert _account_locale(app, "a12lin") is None


def test_a_cookieless_cross_site_post_changes_no_members_account_or_language(capp, member_world):
    """A cross-site form POST carries no SameSite=Lax cookie: the app takes it for a
    visitor's and answers with a new session cookie, which the browser stores over the
    member's. Their account must not change, and a member still signed in (by their
    remember-me cookie) must not be shown the language the other site chose."""
    app = capp
    lin = _sign_in(app, "a12lin", remember=True)
    assert _lang(lin, member_world["path"]) == "en"
    forged = app.test_client().post("/locale", data={"locale": "zh", "next": "/"},
                                    headers={"Origin": "https://evil.example"})
    assert _account_locale(app, "a12lin") is None
    for header in _cookies_set(forged):  # what the browser stores from that answer
        name, _, rest = header.partition("=")
        lin.set_cookie(name, rest.split(";", 1)[0])
    assert _signed_in_as(lin, "a12lin")  # the remember-me cookie signs them in again
    assert _lang(lin, member_world["path"]) == "en"


def test_a_cookieless_cross_site_post_leaves_a_saved_language_alone(capp, member_world):
    """The bound of the attack above: a member whose account holds a language (a web
    sign-up saves the page's) keeps it, since the account's setting beats the session's."""
    app = capp
    with app.app_context():
        db.session.execute(update(User).where(User.username == "a12lin").values(locale="en"))
        db.session.commit()
    lin = _sign_in(app, "a12lin", remember=True)
    forged = app.test_client().post("/locale", data={"locale": "zh", "next": "/"})
    for header in _cookies_set(forged):
        name, _, rest = header.partition("=")
        lin.set_cookie(name, rest.split(";", 1)[0])
    assert _signed_in_as(lin, "a12lin")
    assert _lang(lin, member_world["path"]) == "en"
    assert _account_locale(app, "a12lin") == "en"


NEXTS = ["//evil.example", "https://evil.example/", "http:evil.example", "/\\evil.example",
         "\\\\evil.example", "/\t/evil.example", " //evil.example", "\u3000//evil.example",
         "//evil.example@fanforge.test", "javascript:alert(1)", "data:text/html,x",
         "/\r\nSet-Cookie: a12=1", "/%0d%0aSet-Cookie:%20a12=1", "/\x00//evil.example",
         "///evil.example", "/.//evil.example", "https:/evil.example"]


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_locale_next_never_leaves_the_site_nor_splits_headers(capp, member_world, who):
    app = capp
    client = app.test_client() if who == "visitor" else _sign_in(app, "a12lin")
    token = "" if who == "visitor" else _member_token(client)
    for target in NEXTS:
        answer = client.post("/locale", data={"locale": "zh", "next": target,
                                              "csrf_token": token})
        assert answer.status_code == 302, target
        location = answer.headers["Location"]
        parts = urlsplit(location)
        assert parts.scheme == "" and parts.netloc == "", (target, location)
        assert location.startswith("/") and not location.startswith(("//", "/\\")), target
        assert not re.search(r"[\x00-\x20\\]", location), (target, location)
        assert not any(h.startswith("a12=") for h in _cookies_set(answer)), target
        assert "a12" not in answer.headers


@pytest.mark.parametrize("value", ["xx", "ZH", "zh-CN", "zh_CN", "en\n", " zh", "../zh",
                                   "zh;DROP", "z" * 50_000, "<script>", "%7A%68"])
def test_locale_stores_nothing_but_a_known_language(capp, member_world, value):
    app = capp
    visitor, lin = app.test_client(), _sign_in(app, "a12lin")
    answer = visitor.post("/locale", data={"locale": value})
    assert answer.status_code in (302, 400, 413)
    with visitor.session_transaction() as session:
        assert session.get("locale") in (None, "zh", "en")
    answer = lin.post("/locale", data={"locale": value, "csrf_token": _member_token(lin)})
    assert answer.status_code in (302, 400, 413)
    assert _account_locale(app, "a12lin") in (None, "zh", "en")
    with lin.session_transaction() as session:
        assert session.get("locale") in (None, "zh", "en")
    assert _lang(visitor) in ("en", "zh-CN") and _lang(lin) in ("en", "zh-CN")


# ---- visitors' pages: no session, and every form they see still works -----------

def test_every_public_page_as_a_visitor_with_csrf_on(tmp_path):
    """The world of the freshness tests (something on every main page), CSRF on: no page a
    visitor is shown (drawn or stored) sets a cookie or carries a mark or a token, and
    every form on it can be sent as it is."""
    site = Site(tmp_path)
    app = site.stored
    paths = [page.path for page in site.pages] + ["/", "/no-such-page", "/t/999999"]
    for path in paths:
        visitor = app.test_client()
        for turn in range(2):  # drawn and stored, then a stored copy's hit
            page = visitor.get(path)
            html = page.get_data(as_text=True)
            assert _cookies_set(page) == [], (path, turn)
            assert unfilled_marks(app, html) == [], (path, turn)
            assert "csrf-token" not in html, path
            for form in FORM.findall(html):
                if 'method="post"' not in form or "<button" not in form and "submit" not in form:
                    continue
                action = re.search(r'action="([^"]*)"', form).group(1)
                token = FORM_TOKEN.search(form)
                if action == "/locale":
                    assert token is None or token.group(1) == "", path
                    continue
                # Any other form a visitor can send must carry a token it needs.
                assert action.startswith("/rounds/") and "/accept" in action, (path, action)
    # The language switch, sent from a stored page exactly as it is drawn.
    visitor = app.test_client()
    path = f"/t/{site.world['thread']}"
    visitor.get(path)
    html = visitor.get(path).get_data(as_text=True)
    form = next(f for f in FORM.findall(html) if 'action="/locale"' in f)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    fields["locale"] = re.search(r'name="locale" value="([^"]+)"', form).group(1)
    switched = visitor.post("/locale", data=fields)
    assert switched.status_code == 302 and switched.headers["Location"] == path
    assert 'lang="zh-CN"' in visitor.get(path).get_data(as_text=True)


def test_visitor_sign_in_and_sign_up_forms_still_carry_a_working_token(capp):
    app = capp
    with app.app_context():
        make_user("a12kai")
    visitor = app.test_client()
    visitor.get("/")  # a stored page first: no session yet
    page = visitor.get("/register").get_data(as_text=True)
    token = _form_token(page)
    assert token
    made = visitor.post("/register", data={"username": "a12new", "email": "a12new@example.com",
                                           "password": PASSWORD, "csrf_token": token})
    assert made.status_code in (200, 302), made.get_data(as_text=True)[:500]
    assert "Check your mail" in made.get_data(as_text=True) or made.status_code == 302
    with app.app_context():
        assert accounts.get_by_username("a12new") is not None
        db.session.remove()
    assert _sign_in(app, "a12kai").get("/settings").status_code == 200


def test_the_dummy_gateway_page_works_for_a_visitor_with_csrf_on(capp):
    """The gateway's page is opened without the shop's session (another site, in
    production): its card and confirm forms carry the token they need."""
    app = capp
    with app.app_context():
        campaign = charging_campaign("full")
        refs = [start(place(campaign)).ref, start(place(campaign)).ref]
    for ref, card in zip(refs, (SUCCEEDS, NEEDS_ACTION), strict=True):
        gateway = app.test_client()
        path = f"/payments/dummy/checkout/{ref}"
        page = gateway.get(path)
        assert page.status_code == 200
        token = _form_token(page.get_data(as_text=True))
        assert token
        # Without the page's token the card is refused: the form needs the token it has.
        assert app.test_client().post(path, data={"card_number": card}).status_code == 400
        paid = gateway.post(path, data={"card_number": card, "csrf_token": token})
        assert paid.status_code == 302, paid.get_data(as_text=True)[:300]
        if card == NEEDS_ACTION:
            page = gateway.get(path).get_data(as_text=True)
            token = _form_token(page)
            confirmed = gateway.post(path + "/confirm", data={"decision": "approve",
                                                              "csrf_token": token})
            assert confirmed.status_code == 302


# ---- stored pages: nobody's token or session in anybody else's copy --------------

def test_a_members_token_never_reaches_a_visitors_copy_nor_another_members(capp, member_world):
    app = capp
    path = member_world["path"]
    lin, mei = _sign_in(app, "a12lin"), _sign_in(app, "a12mei")
    lin_token = _member_token(lin)
    first = lin.get(path)
    assert _cached(first) == "miss"  # stored for fans
    for _turn in range(2):
        visitor = app.test_client()
        page = visitor.get(path)
        html = page.get_data(as_text=True)
        assert lin_token not in html and "csrf-token" not in html
        assert set(FORM_TOKEN.findall(html)) <= {""}
        assert "a12lin" not in html.split("<main", 1)[0]  # not the fan's header
        assert _cookies_set(page) == []
    mei_page = mei.get(path)
    assert _cached(mei_page) == "hit"
    html = mei_page.get_data(as_text=True)
    mei_token = META_TOKEN.search(html).group(1)
    assert mei_token != lin_token and lin_token not in html
    assert set(FORM_TOKEN.findall(html)) == {mei_token}


def test_a_visitors_session_token_stays_out_of_stored_pages(capp, member_world):
    """A visitor who opened the sign-in page holds a token in their session: it is not
    drawn into the visitors' copy, which another visitor is then served."""
    app = capp
    path = member_world["path"]
    first = app.test_client()
    token = _form_token(first.get("/login").get_data(as_text=True))
    drawn = first.get(path)
    assert _cached(drawn) == "miss"
    assert token not in drawn.get_data(as_text=True)
    other = app.test_client()
    hit = other.get(path)
    assert _cached(hit) == "hit" and token not in hit.get_data(as_text=True)
    assert _cookies_set(hit) == []


def test_a_member_signed_in_by_remember_me_alone_is_not_served_the_visitors_copy(capp, member_world):
    app = capp
    path = member_world["path"]
    app.test_client().get(path)  # the visitors' copy is stored
    lin = _sign_in(app, "a12lin", remember=True)
    remembered = app.test_client()
    remembered.set_cookie("remember_token", lin.get_cookie("remember_token").value)
    page = remembered.get(path)
    assert _cached(page) != "hit"
    html = page.get_data(as_text=True)
    assert 'class="me">a12lin<' in html
    token = META_TOKEN.search(html).group(1)
    assert remembered.post("/locale", data={"locale": "zh", "csrf_token": token}).status_code == 302
    assert _account_locale(app, "a12lin") == "zh"


# ---- the search memo ----------------------------------------------------------------

@pytest.fixture
def corpus(app):
    with app.app_context():
        one, two = make_board(slug="a12one"), make_board(slug="a12two")
        author, staff = make_user("a12author"), make_user("a12staff", role="admin")
        t1 = make_thread(one, author, title="Quillon one", body="Quillon alphaword opening.")
        t2 = make_thread(two, author, title="Quillon two", body="Quillon betaword opening.")
        reply = forum.reply(t1, make_user(), "Quillon replyword.")
        search.drain()
        return {"one": one.id, "two": two.id, "t1": t1.id, "t2": t2.id, "reply": reply.id,
                "staff": staff.id}


def _found(app, q="quillon", **kw):
    with app.test_request_context("/search"):
        results = search.search(q, **kw)
        found = {(hit.kind, hit.id) for hit in results.items}
        db.session.remove()
        return found


def _whoosh(app):
    if search.backends.postgresql():
        pytest.skip("the memo is the whoosh backend's")


def test_memo_keeps_kinds_and_boards_apart(app, corpus):
    with app.app_context():
        _whoosh(app)
    everything = _found(app)
    assert {("thread", corpus["t1"]), ("thread", corpus["t2"]), ("reply", corpus["reply"])} \
        <= everything
    assert _found(app, board_id=corpus["one"]) >= {("thread", corpus["t1"])}
    assert ("thread", corpus["t2"]) not in _found(app, board_id=corpus["one"])
    assert ("thread", corpus["t1"]) not in _found(app, board_id=corpus["two"])
    assert _found(app, kinds=["reply"]) == {("reply", corpus["reply"])}
    assert ("reply", corpus["reply"]) not in _found(app, kinds=["thread"])
    assert _found(app, kinds=[]) == everything  # no filter, as None
    assert _found(app, sort="date") == everything
    assert _found(app, page=2) == set()


def test_memo_shows_no_hidden_deleted_or_circle_row(app, corpus):
    with app.app_context():
        _whoosh(app)
    assert ("reply", corpus["reply"]) in _found(app)
    _found(app, kinds=["reply"])
    with app.app_context():
        staff = db.session.get(User, corpus["staff"])
        moderation.set_post_hidden(db.session.get(Post, corpus["reply"]), staff, True)
    assert ("reply", corpus["reply"]) not in _found(app)
    assert _found(app, kinds=["reply"]) == set()
    with app.app_context():
        moderation.set_thread_hidden(db.session.get(Thread, corpus["t2"]), staff, True)
        db.session.execute(update(Thread).where(Thread.id == corpus["t1"]).values(kind="circle"))
        db.session.commit()
    assert _found(app) == set()
    with app.test_client() as visitor:
        page = visitor.get("/search?q=quillon&x=a12").get_data(as_text=True)
        assert "alphaword" not in page and "betaword" not in page and "replyword" not in page


def test_memo_is_dropped_by_a_drain(app, corpus):
    with app.app_context():
        _whoosh(app)
    before = _found(app)
    with app.app_context():
        new = make_thread(db.session.get(Thread, corpus["t1"]).board, make_user(),
                          title="Quillon three", body="Quillon gammaword.")
        new_id = new.id
    assert _found(app) == before  # not drained yet: the index has not changed
    with app.app_context():
        search.drain()
    assert ("thread", new_id) in _found(app)


def test_memo_stays_bounded_by_distinct_queries(app, corpus):
    with app.app_context():
        _whoosh(app)
    with app.test_request_context("/search"):
        for n in range(search_index.ANSWERS_KEPT + 64):
            search.search(f"quillon w{n}")
            search.search("quillon", page=1 + n % search_query.MAX_PAGE,
                          sort=("date", "relevance")[n % 2])
        assert len(get_index()._answers) <= search_index.ANSWERS_KEPT
        db.session.remove()


def test_an_answer_cut_short_by_the_time_limit_is_not_kept(app, corpus, monkeypatch):
    """Under load a search stops at TIME_LIMIT and shows what it found so far. That partial
    answer must not be what everyone asking the same words is shown afterwards: an
    attacker who slows a worker would otherwise pin a popular query to a truncated
    (even empty) answer until the index next changes."""
    with app.app_context():
        _whoosh(app)
    monkeypatch.setattr(search_query, "TIME_LIMIT", 0)  # every search out of time at once
    under_load = _found(app)
    assert len(under_load) < 3
    monkeypatch.setattr(search_query, "TIME_LIMIT", 1.0)
    assert {("thread", corpus["t1"]), ("thread", corpus["t2"]), ("reply", corpus["reply"])} \
        <= _found(app)


# ---- unread badges ------------------------------------------------------------------

def test_unread_badges_keep_each_rows_count_and_each_readers_own(app):
    with app.app_context():
        make_user("a12anna"), make_user("a12bo")
        carl = make_user("a12carl")
        board = make_board(slug="a12talk")
        ids = [make_thread(board, carl, title=f"A12 row {n}").id for n in range(4)]
    anna, bo = _sign_in(app, "a12anna"), _sign_in(app, "a12bo")
    for thread_id in ids[:3]:
        anna.get(f"/t/{thread_id}")
    with app.app_context():
        for thread_id, replies in zip(ids, (2, 1, 2, 3), strict=True):
            thread = db.session.get(Thread, thread_id)
            for n in range(replies):
                forum.reply(thread, carl, f"Reply {n}")

    def badges(client):
        html = client.get("/b/a12talk").get_data(as_text=True)
        shown = {}
        for row in re.findall(r'<li class="thread-row.*?</li>', html, re.S):
            thread_id = int(re.search(r'href="/t/(\d+)"', row).group(1))
            badge = re.search(r'data-testid="unread"[^>]*>([^<]+)<', row)
            shown[thread_id] = badge.group(1) if badge else None
        return shown

    assert badges(anna) == {ids[0]: "2 new", ids[1]: "1 new", ids[2]: "2 new", ids[3]: "New"}
    assert badges(bo) == {i: "New" for i in ids}
    assert badges(anna) == {ids[0]: "2 new", ids[1]: "1 new", ids[2]: "2 new", ids[3]: "New"}
    visitor = app.test_client().get("/b/a12talk").get_data(as_text=True)
    assert 'data-testid="unread"' not in visitor
