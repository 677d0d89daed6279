"""Bad input, through the API and the pages: a message to someone who blocked you, an
invitation used past its limit or its expiry, an RSVP to a meetup that has started, a share
of something the sharer cannot see. Each is a clear error (a status, a code, words a fan
understands) and writes nothing."""

from datetime import timedelta

import pytest
from apicheck import assert_conforms
from circle_factories import make_circle, make_event, make_fan
from helpers import PASSWORD, make_board, make_campaign, make_user
from sqlalchemy import func, select, update

from community.accounts import tokens
from community.accounts.models import User
from community.circles import invites
from community.circles import threads as circle_threads
from community.circles.models import CircleCard, CircleMember, Event, Invite, Rsvp
from community.forum import moderation
from community.forum.models import Post, Thread
from community.ideas import service as ideas
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.messages import blocks, sending, service
from community.messages.models import Conversation, Message, Participant

WATCHED = (Message, Participant, Conversation, CircleMember, Invite, Rsvp, CircleCard, Post)


def _counts():
    counts = {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in WATCHED}
    counts["invite_uses"] = db.session.scalar(select(func.coalesce(func.sum(Invite.uses), 0)))
    counts["going"] = db.session.scalar(select(func.coalesce(func.sum(Event.going_count), 0)))
    counts["waiting"] = db.session.scalar(select(func.coalesce(func.sum(Event.waitlist_count), 0)))
    return counts


@pytest.fixture
def world(app):
    with app.app_context():
        owner, li, mei = make_fan("owner"), make_fan("li"), make_fan("mei")
        staff = make_user("moderator", role="staff")
        conversation, _ = service.start(li, ["mei"])
        sending.send(conversation.id, li, "hello")
        blocks.block(mei, li)  # mei blocks li

        private = make_circle(owner, visibility="private", slug="hush")
        used_up = invites.create_invite(private, owner, 24, 1)
        expired = invites.create_invite(private, owner, 24, 5)
        with transaction():
            db.session.execute(update(Invite).where(Invite.id == expired.id)
                               .values(expires_at=utcnow() - timedelta(minutes=5)))
        club = make_circle(owner, slug="club", members=[li])
        past = make_event(club, owner, capacity=5)
        with transaction():
            db.session.execute(update(Event).where(Event.id == past.id).values(
                starts_at=utcnow() - timedelta(hours=1)))
        thread = circle_threads.create_thread(club, li, "Look at this", "x")

        board = make_board()
        hidden_idea = ideas.propose(board, owner, "An idea staff hid", "b")
        moderation.set_thread_hidden(db.session.get(Thread, hidden_idea.thread_id), staff, True,
                                     "spam")
        draft = make_campaign(publish=False)
        ids = {"conversation": conversation.id, "used_up": used_up.token,
               "expired": expired.token, "event": past.id, "thread": thread.id,
               "hidden_idea": hidden_idea.id, "draft": draft.id, "owner": owner.id}
        keys = {u.username: tokens.create_token(u, "t")[1] for u in (li, mei, owner)}
    return {"ids": ids, "keys": keys}


def _use_up(app, token):
    """Someone takes the invitation's last use."""
    with app.app_context():
        from community.circles import service as circles
        from community.circles.models import Circle

        circle = db.session.scalar(select(Circle).where(Circle.slug == "hush"))
        assert circles.join(circle, make_fan(), token) == "joined"


def _api(app, world, who):
    client = app.test_client()

    def call(method, path, json=None):
        return client.open(path, method=method, json=json,
                           headers={"Authorization": f"Bearer {world['keys'][who]}"})

    return call


def _signed_in(app, who):
    client = app.test_client()
    assert client.post("/login", data={"login": who, "password": PASSWORD}).status_code == 302
    return client


def _unchanged(app, before):
    with app.app_context():
        assert _counts() == before


def _before(app):
    with app.app_context():
        return _counts()


def test_a_message_to_someone_who_blocked_you(app, world):
    ids = world["ids"]
    before = _before(app)
    api = _api(app, world, "li")
    path = "/api/v1/conversations/{conversation_id}/messages"
    refused = api("POST", f"/api/v1/conversations/{ids['conversation']}/messages", {"body": "hi?"})
    error = assert_conforms(app, refused, "POST", path)["error"]
    assert refused.status_code == 403 and error["code"] == "blocked"
    assert "cannot message" in error["message"]
    again = api("POST", "/api/v1/conversations", {"participants": ["mei"]})
    assert again.status_code == 403 and again.get_json()["error"]["code"] == "blocked"
    group = api("POST", "/api/v1/conversations", {"participants": ["mei", "owner"], "title": "G"})
    assert group.status_code == 403

    client = _signed_in(app, "li")
    page = client.post(f"/conversations/{ids['conversation']}/messages", data={"body": "hi?"},
                       follow_redirects=True)
    assert "You cannot message this person." in page.get_data(as_text=True)
    fetched = client.post(f"/conversations/{ids['conversation']}/messages",
                          data={"body": "hi?"}, headers={"Accept": "application/json"})
    assert fetched.status_code == 403 and fetched.get_json()["error"]["code"] == "blocked"
    profile = client.post("/u/mei/message", follow_redirects=True).get_data(as_text=True)
    assert "does not accept messages from you" in profile
    _unchanged(app, before)


@pytest.mark.parametrize("which, code, words", [
    ("used_up", "invite_used_up", "used as many times"),
    ("expired", "invite_expired", "expired"),
])
def test_an_invitation_past_its_limit_or_expiry(app, world, which, code, words):
    token = world["ids"][which]
    if which == "used_up":
        _use_up(app, token)
    before = _before(app)
    api = _api(app, world, "li")
    refused = api("POST", "/api/v1/circles/hush/members", {"invite": token})
    error = assert_conforms(app, refused, "POST", "/api/v1/circles/{slug}/members")["error"]
    assert refused.status_code == 409 and error["code"] == code and words in error["message"]
    assert api("GET", "/api/v1/circles/hush").status_code == 404  # still an outsider

    client = _signed_in(app, "li")
    landing = client.get(f"/circles/invite/{token}").get_data(as_text=True)
    assert words in landing
    page = client.post("/circles/hush/join", data={"invite": token}, follow_redirects=True)
    assert page.status_code == 200 and words in page.get_data(as_text=True)
    assert client.get("/circles/hush").status_code == 404
    _unchanged(app, before)


def test_an_rsvp_to_a_meetup_that_has_started(app, world):
    event_id = world["ids"]["event"]
    before = _before(app)
    api = _api(app, world, "li")
    refused = api("PUT", f"/api/v1/events/{event_id}/rsvp")
    error = assert_conforms(app, refused, "PUT", "/api/v1/events/{event_id}/rsvp")["error"]
    assert refused.status_code == 409 and error["code"] == "event_past"
    assert "already started" in error["message"]
    cancel = api("DELETE", f"/api/v1/events/{event_id}/rsvp")
    assert cancel.status_code == 409

    client = _signed_in(app, "li")
    page = client.post(f"/circles/club/events/{event_id}/rsvp", follow_redirects=True)
    assert "already started" in page.get_data(as_text=True)
    _unchanged(app, before)


def test_a_share_of_something_the_sharer_cannot_see(app, world):
    ids = world["ids"]
    api = _api(app, world, "li")
    path = f"/api/v1/conversations/{ids['conversation']}/messages"
    with app.app_context():  # mei unblocks: only the share itself is wrong now
        blocks.unblock(db.session.get(User, _id("mei")), db.session.get(User, _id("li")))
    before = _before(app)
    for share in ({"kind": "campaign", "id": ids["draft"]},
                  {"kind": "idea", "id": ids["hidden_idea"]},
                  {"kind": "product", "id": 987_654}):
        refused = api("POST", path, {"body": "look", "share": share})
        error = assert_conforms(app, refused, "POST",
                                "/api/v1/conversations/{conversation_id}/messages")["error"]
        assert refused.status_code == 422 and error["code"] == "share_not_visible", share
        assert "not visible to you" in error["message"]

    client = _signed_in(app, "li")
    for kind, target in (("campaign", ids["draft"]), ("idea", ids["hidden_idea"])):
        shown = client.get(f"/share?kind={kind}&id={target}")
        assert shown.status_code == 422 and "not visible to you" in shown.get_data(as_text=True)
        for place in (f"conversation:{ids['conversation']}", f"circle_thread:{ids['thread']}"):
            posted = client.post("/share", data={"kind": kind, "id": target, "place": place})
            assert posted.status_code == 422, (kind, place)
    _unchanged(app, before)


def _id(username):
    return db.session.scalar(select(User.id).where(User.username == username))
