"""A page that may be stored for its audience is drawn behind guards: reading the session,
a cookie or more of current_user than the audience key holds fails the tests (strict
mode), and otherwise keeps the page to its reader (community/web/pagecache/audience.py)."""

import re
from importlib.metadata import version

import pytest
from flask import render_template_string, request, session
from flask_login import current_user
from helpers import PASSWORD, build_app, make_board, make_thread, make_user
from sqlalchemy import update

from community.accounts import service as accounts
from community.accounts.models import User
from community.circles import service as circle_service
from community.circles import threads
from community.ideas import service as ideas
from community.kernel.database import transaction
from community.kernel.extensions import db
from community.web import pagecache
from community.web.pagecache import audience

pytestmark = pytest.mark.one_database

PAGE = "{% extends 'base.html' %}{% block content %}<p data-testid='read'>{{ READ }}</p>{% endblock %}"


def _page_reading(app, expression, members=True):
    """A view at /reads whose template shows `expression`."""
    def reads():
        return render_template_string(PAGE.replace("READ", expression))

    app.add_url_rule("/reads", "reads", pagecache.public_page(members=members)(reads))


@pytest.fixture
def fans(app):
    with app.app_context():
        make_user("qiuqiu"), make_user("tuantuan")


def _signed_in(app, name):
    client = app.test_client()
    assert client.post("/login", data={"login": name, "password": PASSWORD}).status_code == 302
    return client


def _cached(response):
    return response.headers.get("X-Page-Cache")


@pytest.mark.parametrize("expression", [
    "session.get('locale')", "request.cookies.get('theme')", "current_user.id",
    "current_user.username", "current_user == current_user",
])
def test_a_page_stored_for_fans_may_not_read_what_is_a_fans_own(app, fans, expression):
    _page_reading(app, expression)
    client = _signed_in(app, "qiuqiu")
    client.set_cookie("theme", "dark")
    with pytest.raises(pagecache.PersonalRead, match="reads: a page stored"):
        client.get("/reads")


@pytest.mark.parametrize("expression", ["session.get('locale')", "'theme' in request.cookies"])
def test_a_page_stored_for_visitors_may_not_read_their_session_or_cookies(app, expression):
    _page_reading(app, expression, members=False)
    with pytest.raises(pagecache.PersonalRead):
        app.test_client().get("/reads")


def test_what_the_audience_key_holds_may_be_read(app, fans):
    _page_reading(app, "current_user.is_authenticated ~ current_user.role ~ current_user.is_staff")
    first, second = (_signed_in(app, name).get("/reads") for name in ("qiuqiu", "tuantuan"))
    assert (_cached(first), _cached(second)) == ("miss", "hit")
    assert "<p data-testid='read'>TruefanFalse</p>" in first.get_data(as_text=True)


def test_outside_strict_mode_such_a_page_is_its_readers_own(app, fans):
    app.config["PAGE_CACHE_STRICT"] = False
    _page_reading(app, "session.get('locale') or 'none'")
    qiuqiu, visitor = _signed_in(app, "qiuqiu"), app.test_client()
    with visitor.session_transaction() as visitors_session:
        visitors_session["locale"] = "zh"
    for client, shown in ((qiuqiu, "none"), (visitor, "zh"), (qiuqiu, "none"), (visitor, "zh")):
        page = client.get("/reads")
        assert _cached(page) is None and f"<p data-testid='read'>{shown}</p>" in page.get_data(
            as_text=True)


def test_the_layout_and_its_forms_are_drawn_behind_the_guards(tmp_path):
    """CSRF on, as in production: the layout's token, the forms' tokens and the flashed
    messages are answered without the session, so the community's pages are stored."""
    app = build_app(f"sqlite:///{tmp_path}/strict.sqlite3", tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        make_user("qiuqiu"), make_user("tuantuan")
        thread = make_thread(make_board(slug="talk"), title="Guarded pages")
        idea = ideas.propose(thread.board, thread.author, "Guarded idea", "Behind guards.")
        paths = ["/", "/b/talk", f"/t/{thread.id}", "/ideas", f"/ideas/{idea.id}", "/rounds"]
    visitor = app.test_client()
    qiuqiu, tuantuan = (_signed_in_with_csrf(app, name) for name in ("qiuqiu", "tuantuan"))
    for path in paths:
        assert _cached(visitor.get(path)) == "miss", path
        assert _cached(qiuqiu.get(path)) == "miss", path
        assert _cached(tuantuan.get(path)) == "hit", path


def _signed_in_with_csrf(app, name):
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    answer = client.post("/login", data={"login": name, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302
    return client


def test_a_circles_thread_at_the_forums_address_is_its_readers_own(app, fans):
    """Only a redirect or a 404, decided by who is reading: not shared, and no error."""
    with app.app_context():
        with transaction():  # starting a circle takes a level
            db.session.execute(update(User).where(User.username == "qiuqiu").values(points=100))
        owner = accounts.get_by_username("qiuqiu")
        circle = circle_service.create_circle(owner, "Quiet tea", "quiet-tea", "Members only.",
                                              "interest", None, "private")
        thread_id = threads.create_thread(circle, owner, "Just us", "Hello.").id
    member, other = _signed_in(app, "qiuqiu"), _signed_in(app, "tuantuan")
    sent_on = member.get(f"/t/{thread_id}")
    assert sent_on.status_code == 302 and sent_on.headers["Location"].startswith("/circles/quiet-tea")
    assert other.get(f"/t/{thread_id}").status_code == 404
    assert app.test_client().get(f"/t/{thread_id}").status_code == 404


def test_the_guards_hold_flask_and_flask_login_as_these_versions_keep_them(app):
    """The guards stand in Flask's RequestContext._session and Flask-Login's
    g._login_user: written for Flask 3.1 and Flask-Login 0.6. A new version: check
    audience.py's _guard still swaps what `session` and `current_user` give."""
    assert version("flask").startswith("3.1.") and version("flask-login").startswith("0.6.")
    reads = []
    with app.test_request_context(headers={"Cookie": "theme=dark"}):
        session["locale"] = "zh"
        real_user = current_user._get_current_object()
        with audience.reader_absent(reads.append):
            assert session.get("locale") == "zh" and request.cookies["theme"] == "dark"
            assert not current_user.is_authenticated
        assert reads == ["session.get", "request.cookies['theme']",
                         "current_user.is_authenticated"]
        assert session.get("locale") == "zh" and current_user._get_current_object() is real_user
        assert len(reads) == 3
