"""The phone shell's server side: the tab bar in every page, its unread badge filled per
reader (the page itself shared), the Me page, and the check-in's plural."""

from flask import request, url_for
from helpers import make_thread, make_user

from community.forum import service as forum
from community.viewer.shell import _sum_labels


def test_the_badge_on_me_is_the_readers_own_on_a_shared_page(app, client, auth):
    with app.app_context():
        author, other = make_user("lilei"), make_user("hanmei")
        thread = make_thread(author=author, title="Sauna test")
        forum.reply(thread, other, "One")
        forum.reply(thread, other, "Two")
    visitor = client.get("/ideas").get_data(as_text=True)
    assert 'data-testid="tab-bar"' in visitor and 'data-testid="tab-ideas" aria-current="page"' in visitor
    assert 'data-testid="tab-badge"' not in visitor
    auth.login("lilei")
    page = client.get("/ideas").get_data(as_text=True)
    badge = page.split('data-testid="tab-badge"')[1].split("</span></span>")[0]
    assert "2 unread" in badge and '<span aria-hidden="true">2' in badge
    auth.logout()
    auth.login("hanmei")
    assert 'data-testid="tab-badge"' not in client.get("/ideas").get_data(as_text=True)


def test_unread_labels_add_up_and_a_cap_stays_a_cap():
    assert _sum_labels(None, None) == ""
    assert _sum_labels("3", None) == "3"
    assert _sum_labels("3", "2") == "5"
    assert _sum_labels("99+", "1") == "100+"


def test_me_gathers_what_is_the_readers_own(app, client, auth):
    with app.app_context():
        make_user("lilei")
    response = client.get("/me")
    assert response.status_code == 302 and "/login?next=%2Fme" in response.headers["Location"]
    auth.login("lilei")
    page = client.get("/me").get_data(as_text=True)
    for testid, href in (("me-preorders", "/me/preorders"), ("me-circles", "/circles/mine"),
                         ("me-settings", "/settings"), ("me-notifications", "/notifications"),
                         ("me-messages", "/conversations"), ("me-profile-link", "/u/lilei")):
        assert f'href="{href}" data-testid="{testid}"' in page or f'data-testid="{testid}"' in page
    assert 'data-testid="tab-me" aria-current="page"' in page
    assert 'aria-label="Streak"' in page  # an icon with a text alternative, no emoji
    assert "points to Lv2" in page


def test_checking_in_says_one_day_not_one_days(app, client, auth):
    with app.app_context():
        make_user("lilei")
    auth.login("lilei")
    page = client.post("/checkin", data={"next": "/me"}, follow_redirects=True).get_data(as_text=True)
    assert "Checked in: 1 day in a row!" in page


def test_a_visitors_corner_kept_per_language_sends_back_to_each_page(app, client):
    """The visitor's corner is drawn once per language and filled per response: each
    page's sign-in link and language switch send the reader back to that page."""
    with app.app_context():
        thread = make_thread(title="Corner test")
    for path in ("/", f"/t/{thread.id}", f"/t/{thread.id}?page=1", "/ideas?sort=new&x=<b>"):
        for language in ("en", "zh"):
            page = client.get(path, headers={"Accept-Language": language}).get_data(as_text=True)
            corner = page.split('<div class="account-nav">', 1)[1].split("</div>", 1)[0]
            here = path.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert f'name="next" value="{here}"' in corner
            with app.test_request_context(path):
                login = url_for("accounts.login", next=request.path)
            assert f'href="{login}"' in corner
            assert ("登录" in corner) is (language == "zh")


def test_the_kept_foot_lights_each_pages_own_tab(app, client):
    """The footer and tab bar are drawn once per language, tab and lit path: a page that
    is a tab's own says so, another page under the same tab does not, in each language."""
    def tab_bar(path, language="en"):
        page = client.get(path, headers={"Accept-Language": language}).get_data(as_text=True)
        return page.split('data-testid="tab-bar"', 1)[1].split("</nav>", 1)[0]

    for _ in range(2):  # drawn, then kept
        own = tab_bar("/ideas")
        assert 'class="tab active" data-testid="tab-ideas" aria-current="page"' in own
        other = tab_bar("/ideas/shipped")
        assert 'class="tab active" data-testid="tab-ideas" aria-current="true"' in other
        assert 'aria-current="page"' not in other
        home = tab_bar("/", "zh")
        assert 'data-testid="tab-home" aria-current="page"' in home and "首页" in home
        assert 'data-testid="tab-ideas" aria-current' not in home
