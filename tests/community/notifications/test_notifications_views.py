"""The bell, the notifications and feed pages, and the follow buttons."""

import pytest
from helpers import make_board, make_thread, make_user
from querycount import counting

from community.accounts import follows
from community.forum import moderation
from community.forum import service as forum
from community.ideas import service as ideas
from community.ideas import statuses
from community.kernel.database import transaction
from community.kernel.extensions import db
from community.notifications.models import Activity, Notification

pytestmark = pytest.mark.one_database

JSON = {"Accept": "application/json"}


@pytest.fixture
def people(app):
    with app.app_context():
        make_user("lilei")
        make_user("hanmei")
        make_user("boss", role="staff")
        board = make_board("band", "手环 Band")
        return board.id


def _user(name):
    from community.accounts import service as accounts

    return accounts.get_by_username(name)


def test_the_bell_counts_unread_and_the_page_marks_them_read(app, client, auth, people):
    with app.app_context():
        thread = make_thread(author=_user("lilei"), title="Sauna test")
        forum.reply(thread, _user("hanmei"), "Works for me, @lilei")
        forum.reply(thread, _user("hanmei"), "Second reply")
    assert 'data-testid="bell"' not in client.get("/").get_data(as_text=True)
    auth.login("lilei")
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="bell-count">2<' in home  # the mention rode on the reply
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count('class="event unread"') == 2
    assert "hanmei replied to “Sauna test”" in page and "Second reply" in page
    assert 'href="/p/' in page
    assert 'data-testid="bell-count"' not in page  # shown, so read
    again = client.get("/notifications").get_data(as_text=True)
    assert "unread" not in again.split('data-testid="notifications"')[1].split("</ul>")[0]


def test_mark_all_read_by_form_and_json(app, client, auth, people):
    with app.app_context():
        thread = make_thread(author=_user("lilei"))
        for n in range(3):
            forum.reply(thread, _user("hanmei"), f"reply {n}")
    auth.login("lilei")
    response = client.post("/notifications/read")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    assert 'data-testid="bell-count"' not in client.get("/").get_data(as_text=True)
    with app.app_context():
        forum.reply(thread, _user("hanmei"), "one more")
    assert client.post("/notifications/read", headers=JSON).get_json() == {"marked": 1, "unread": 0,
                                                                             "label": ""}


def test_notifications_and_feed_need_a_sign_in(client):
    for path in ("/notifications", "/feed"):
        assert client.get(path).headers["Location"].startswith("/login")
    assert client.post("/follow/board/1").headers["Location"].startswith("/login")


@pytest.mark.parametrize("target", ["idea", "board", "user"])
def test_follow_and_unfollow_by_form_and_json(app, client, auth, people, target):
    with app.app_context():
        ids = {"board": people, "user": _user("hanmei").id,
               "idea": ideas.propose(make_board(), _user("hanmei"), "An idea to follow", "b").id}
    target_id = ids[target]
    auth.login("lilei")
    response = client.post(f"/follow/{target}/{target_id}")
    assert response.status_code == 302
    expected = {"idea": f"/ideas/{target_id}", "board": "/b/band", "user": "/u/hanmei"}[target]
    assert response.headers["Location"] == expected
    with app.app_context():
        assert follows.is_following(_user("lilei"), target, target_id)
    response = client.post(f"/unfollow/{target}/{target_id}", data={"next": "/feed"})
    assert response.headers["Location"] == "/feed"
    assert client.post(f"/follow/{target}/{target_id}", headers=JSON).get_json() == {"following": True}
    assert client.post(f"/unfollow/{target}/{target_id}", headers=JSON).get_json() == {"following": False}
    with app.app_context():
        assert not follows.is_following(_user("lilei"), target, target_id)


def test_follow_errors(app, client, auth, people):
    with app.app_context():
        me = _user("lilei").id
        idea = ideas.propose(make_board(), _user("hanmei"), "Hidden idea here", "b")
        moderation.set_thread_hidden(idea.thread, _user("boss"), True, "spam")
        idea_id = idea.id
    auth.login("lilei")
    response = client.post(f"/follow/user/{me}", headers=JSON)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "self_follow"
    assert client.post(f"/follow/idea/{idea_id}").status_code == 404
    assert client.post("/follow/circle/1").status_code == 404
    assert client.post("/follow/user/99999", headers=JSON).status_code == 404
    # An off-site next is not followed: back to the board instead.
    assert client.post(f"/follow/board/{people}", data={"next": "https://evil.example/"}) \
        .headers["Location"] == "/b/band"


def test_follow_buttons_on_idea_board_and_profile(app, client, auth, people):
    with app.app_context():
        idea_id = ideas.propose(make_board(), _user("lilei"), "My own idea", "b").id
    assert "Follow" in client.get("/b/band").get_data(as_text=True)  # a sign-in link
    auth.login("lilei")
    page = client.get(f"/ideas/{idea_id}").get_data(as_text=True)
    button = page.split('class="idea-actions"')[1]
    assert f'action="/unfollow/idea/{idea_id}"' in button and 'aria-pressed="true"' in button
    board = client.get("/b/band").get_data(as_text=True)
    assert f'action="/follow/board/{people}"' in board and 'aria-pressed="false"' in board
    assert 'data-testid="follow-button"' in client.get("/u/hanmei").get_data(as_text=True)
    assert 'data-testid="follow-button"' not in client.get("/u/lilei").get_data(as_text=True)


def test_feed_page_links_to_what_happened(app, client, auth, people):
    with app.app_context():
        hanmei = _user("hanmei")
        follows.follow(_user("lilei"), "user", hanmei.id)
        opening = forum.first_post(make_thread(author=hanmei, title="Strap colours")).id
        idea_id = ideas.propose(make_board(), hanmei, "Solar charging", "b").id
        statuses.change_status(idea_id, _user("boss"), "planned", "Yes.")
    auth.login("lilei")
    page = client.get("/feed").get_data(as_text=True)
    assert "hanmei started “Strap colours”" in page and "hanmei proposed “Solar charging”" in page
    assert f'href="/p/{opening}"' in page
    assert f'href="/ideas/{idea_id}"' in page
    assert "boss moved" not in page  # boss is not followed
    assert client.get("/feed?before=x").status_code == 400


def _statements(app, client, path):
    with counting() as seen:
        assert client.get(path).status_code == 200
    return len(seen)


def _fill(user, n, board_id):
    actor = make_user()
    with transaction():
        for i in range(n):
            db.session.add(Notification(user_id=user.id, kind="reply", actor_id=actor.id,
                                        target_type="post", target_id=i + 1, title=f"t{i}"))
            db.session.add(Activity(kind="thread", actor_id=actor.id, board_id=board_id,
                                    target_type="post", target_id=i + 1, title=f"t{i}"))


def test_pages_cost_the_same_with_5_and_50_items(app, people):
    costs = {}
    for n in (5, 50):
        with app.app_context():
            reader, board = make_user(f"reader{n}"), make_board()
            follows.follow(reader, "board", board.id)
            _fill(reader, n, board.id)
        client = app.test_client()
        client.post("/login", data={"login": f"reader{n}", "password": "correct-horse-9"})
        costs[n] = [_statements(app, client, path) for path in ("/notifications", "/feed", "/")]
    assert costs[5] == costs[50]
