"""The Latest feed on the home page: new ideas, status changes, meetups and campaigns,
newest first, and nothing a visitor may not see, though the page is shared."""

from datetime import timedelta

import pytest
from helpers import make_board, make_campaign, make_user

from community.accounts.models import User
from community.circles import events, invites
from community.circles import service as circles
from community.circles.models import Circle
from community.forum import moderation
from community.forum.models import Thread
from community.ideas import service as ideas
from community.ideas import statuses
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.latest import views as latest_views


def _meetup(circle, owner, title):
    starts = utcnow() + timedelta(days=2)
    return events.create_event(circle, owner, title, "Come along.", "Tea house", starts,
                               starts + timedelta(hours=2), 10)


@pytest.fixture
def community(app):
    with app.app_context():
        staff = make_user("host", role="staff")
        fan = make_user("lin")
        board = make_board(slug="phones")
        first = ideas.propose(board, fan, "Longer battery", "Two days at least.")
        hidden = ideas.propose(board, fan, "Spam idea", "Buy now.")
        moderation.set_thread_hidden(db.session.get(Thread, hidden.thread_id), staff, True, "spam")
        statuses.change_status(first.id, staff, "planned", "We are on it.")
        open_circle = circles.create_circle(staff, "Shanghai fans", "sh-fans", "", "interest",
                                            None, "open")
        secret = circles.create_circle(staff, "Beta testers", "beta-testers", "", "interest",
                                       None, "private")
        asking = circles.create_circle(staff, "Collectors", "collectors", "", "interest",
                                       None, "approval")
        _meetup(open_circle, staff, "Open tea meetup")
        _meetup(secret, staff, "Secret prototype meetup")
        _meetup(asking, staff, "Members-only swap meet")
        return {"idea": first.id, "secret": secret.id, "staff": staff.id}


def test_a_visitor_sees_only_what_anyone_may_see(app, client, community):
    page = client.get("/").get_data(as_text=True)
    feed = page.split('data-testid="latest-feed"')[1].split("</ul>")[0]
    assert "Longer battery" in feed and "Open tea meetup" in feed
    assert 'data-status="planned"' in feed or "status-planned" in feed
    for never in ("Spam idea", "Secret prototype meetup", "Members-only swap meet"):
        assert never not in page
    # Newest first: the open meetup came after the idea and its status change.
    assert feed.index("Open tea meetup") < feed.index("Longer battery")
    # The stored copy is the same for the next visitor, and /latest holds the same.
    again = client.get("/")
    assert again.headers.get("X-Page-Cache") == "hit"
    assert "Secret prototype meetup" not in again.get_data(as_text=True)
    full = client.get("/latest").get_data(as_text=True)
    assert "Open tea meetup" in full and "Secret prototype meetup" not in full


def test_members_see_their_closed_circles_meetups_and_nobody_else_does(app, community):
    with app.app_context():
        secret = db.session.get(Circle, community["secret"])
        invite = invites.create_invite(secret, db.session.get(User, community["staff"]), 1, 1)
        assert circles.join(secret, make_user("insider"), invite.token) == "joined"
        make_user("outsider")
    clients = {}
    for name in ("insider", "outsider"):
        clients[name] = app.test_client()
        clients[name].post("/login", data={"login": name, "password": "correct-horse-9"})
    for path in ("/", "/latest"):
        mine = clients["insider"].get(path).get_data(as_text=True)
        own, shared = mine.split('data-testid="latest-mine"')[1].split("</section>", 1)
        assert "Secret prototype meetup" in own, path  # their circle, in their own part
        assert "Secret prototype meetup" not in shared, path
        assert "Members-only swap meet" not in mine, path  # not their circle
        # The other fan is given the stored page: without the insider's part.
        theirs = clients["outsider"].get(path)
        assert theirs.headers.get("X-Page-Cache") == "hit", path
        assert "Secret prototype meetup" not in theirs.get_data(as_text=True), path
        assert 'data-testid="latest-mine"' not in theirs.get_data(as_text=True), path
    # Nor is a visitor; and an older page of /latest leaves it out.
    assert "Secret prototype meetup" not in app.test_client().get("/").get_data(as_text=True)
    older = clients["insider"].get("/latest?before=2999-01-01T00:00:00").get_data(as_text=True)
    assert 'data-testid="latest-mine"' not in older


def test_campaigns_show_once_open_and_the_feed_pages(app, client, community, monkeypatch):
    with app.app_context():
        make_campaign()
    page = client.get("/latest").get_data(as_text=True)
    assert "Pre-orders open" in page or "预售" in page
    monkeypatch.setattr(latest_views, "PER_PAGE", 2)
    first = client.get("/latest?x=1").get_data(as_text=True)
    assert 'data-testid="latest-older"' in first
    older = first.split('data-testid="latest-older"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get(older.replace("&amp;", "&"))
    assert second.status_code == 200
    assert client.get("/latest?before=not-a-time").status_code == 400


def test_the_home_page_caps_the_feed_with_a_more_link(app, client):
    with app.app_context():
        fan = make_user("busy")
        board = make_board(slug="many")
        for n in range(latest_views.HOME_ITEMS + 2):
            ideas.propose(board, fan, f"Idea number {n}", "Body text here.")
    page = client.get("/").get_data(as_text=True)
    assert page.count('class="latest-item') == latest_views.HOME_ITEMS
    assert 'data-testid="latest-more"' in page
