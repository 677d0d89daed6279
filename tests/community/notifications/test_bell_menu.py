"""The bell's drop-down: the latest notifications as JSON for the signed-in reader, the
ones shown marked read, a cheap unread count to refresh the bell, and a count that is each
reader's own even on a page stored for everyone of a role."""

import re

from helpers import PASSWORD, make_thread, make_user

from community.accounts import service as accounts
from community.forum import service as forum
from community.notifications import service

JSON = {"Accept": "application/json"}


def _signed_in(app, name):
    client = app.test_client()
    assert client.post("/login", data={"login": name, "password": PASSWORD}).status_code == 302
    return client


def _csrf(client):
    page = client.get("/circles/mine").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def _world(app, replies=3):
    with app.app_context():
        lilei, hanmei = make_user("lilei"), make_user("hanmei")
        make_user("quiet")
        thread = make_thread(author=lilei, title="Sauna test")
        for n in range(replies):
            forum.reply(thread, accounts.get_by_username("hanmei"), f"reply {n}")
        return hanmei.id


def test_the_drop_down_lists_the_latest_and_marks_what_it_showed(app):
    _world(app, replies=service.BELL_LATEST + 2)
    lilei = _signed_in(app, "lilei")
    assert lilei.get("/notifications/unread", headers=JSON).get_json() == {
        "unread": service.BELL_LATEST + 2, "label": str(service.BELL_LATEST + 2)}
    latest = lilei.get("/notifications/latest", headers=JSON)
    assert latest.headers["Cache-Control"] == "private, no-store"
    data = latest.get_json()
    assert data["html"].count('data-testid="bell-item"') == service.BELL_LATEST
    assert data["html"].count("hanmei replied to “Sauna test”") == service.BELL_LATEST
    assert 'href="/p/' in data["html"]
    assert len(data["unread_ids"]) == service.BELL_LATEST
    assert data["unread_ids"] == sorted(data["unread_ids"], reverse=True)  # newest first

    # Opening marked what it showed; the two older ones stay unread.
    marked = lilei.post("/notifications/read", headers={**JSON, "X-CSRFToken": _csrf(lilei)},
                        data={"id": data["unread_ids"]})
    assert marked.get_json() == {"marked": service.BELL_LATEST, "unread": 2, "label": "2"}
    again = lilei.get("/notifications/latest", headers=JSON).get_json()
    assert again["unread_ids"] == [] and 'class="bell-item unread"' not in again["html"]
    assert 'data-testid="bell-count">2<' in lilei.get("/").get_data(as_text=True)


def test_nobody_marks_or_reads_another_readers_notifications(app):
    _world(app)
    lilei = _signed_in(app, "lilei")
    ids = lilei.get("/notifications/latest", headers=JSON).get_json()["unread_ids"]
    quiet = _signed_in(app, "quiet")
    assert quiet.get("/notifications/latest", headers=JSON).get_json()["unread_ids"] == []
    assert 'data-testid="bell-empty"' in quiet.get("/notifications/latest", headers=JSON) \
        .get_json()["html"]
    answer = quiet.post("/notifications/read", headers={**JSON, "X-CSRFToken": _csrf(quiet)},
                        data={"id": ids})
    assert answer.get_json()["marked"] == 0
    assert lilei.get("/notifications/unread", headers=JSON).get_json()["unread"] == 3
    bad = quiet.post("/notifications/read", headers={**JSON, "X-CSRFToken": _csrf(quiet)},
                     data={"id": ["1", "two"]})
    assert bad.status_code == 400 and "error" in bad.get_json()
    visitor = app.test_client()
    for url in ("/notifications/latest", "/notifications/unread"):
        assert visitor.get(url, headers=JSON).status_code in (302, 401)


def test_the_bell_is_a_link_with_its_drop_down_and_each_readers_own_count(app):
    _world(app)
    lilei, quiet = _signed_in(app, "lilei"), _signed_in(app, "quiet")
    # /leaderboards is stored for every signed-in fan alike: the bell is a hole in it.
    for _ in range(2):
        mine = lilei.get("/leaderboards").get_data(as_text=True)
        assert 'data-testid="bell-count">3<' in mine
        theirs = quiet.get("/leaderboards")
        assert 'data-testid="bell-count"' not in theirs.get_data(as_text=True)
    assert theirs.headers.get("X-Page-Cache") == "hit"
    bell = re.search(r'<a href="/notifications" class="bell[^>]*>', mine).group(0)
    assert 'data-latest-url="/notifications/latest"' in bell
    assert 'data-unread-url="/notifications/unread"' in bell
    assert 'data-testid="bell-see-all"' in mine and 'id="bell-panel"' in mine
