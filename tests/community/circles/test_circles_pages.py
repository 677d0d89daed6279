"""Circle pages through the test client: directory, starting, joining, threads with
replies through the forum, moderation, invitations, meetups and their .ics."""

import pytest
from circle_factories import make_circle, make_event, make_fan
from helpers import PASSWORD, make_user

from community.accounts import service as accounts
from community.circles import events, invites, threads
from community.circles.models import Circle, CircleMember
from community.forum import service as forum
from community.kernel.extensions import db

pytestmark = pytest.mark.one_database


def _login(client, name):
    assert client.post("/login", data={"login": name, "password": PASSWORD}).status_code == 302


def test_the_directory_and_starting_a_circle(app, client):
    with app.app_context():
        make_fan("starter")
        make_circle(name="Open tea", visibility="open")
        make_circle(name="Hidden tea", visibility="private")
    page = client.get("/circles").get_data(as_text=True)
    assert "Open tea" in page and "Hidden tea" not in page
    _login(client, "starter")
    response = client.post("/circles/new", data={
        "name": "Shanghai runners", "slug": "sh-runners", "description": "Run!", "kind": "city",
        "city": "上海", "visibility": "approval"})
    assert response.status_code == 302 and response.headers["Location"] == "/circles/sh-runners"
    page = client.get("/circles/sh-runners").get_data(as_text=True)
    assert "Shanghai runners" in page and 'data-testid="new-circle-thread"' in page
    assert "上海" in client.get("/circles?kind=city").get_data(as_text=True)
    assert client.get("/circles?kind=bogus").status_code == 400
    bad = client.post("/circles/new", data={"name": "x", "slug": "Bad slug", "kind": "interest",
                                            "visibility": "open"})
    assert bad.status_code == 422


def test_a_newcomer_is_told_the_level(app, client):
    with app.app_context():
        make_user("newbie")
    _login(client, "newbie")
    assert 'data-testid="level-notice"' in client.get("/circles/new").get_data(as_text=True)
    response = client.post("/circles/new", data={"name": "Too soon", "slug": "too-soon",
                                                  "kind": "interest", "visibility": "open"})
    assert response.status_code == 422


def test_join_post_a_thread_reply_and_leave(app, client):
    with app.app_context():
        make_fan("joiner")
        circle = make_circle(name="Band lovers")
        slug = circle.slug
    _login(client, "joiner")
    assert client.post(f"/circles/{slug}/join").status_code == 302
    response = client.post(f"/circles/{slug}/threads/new",
                           data={"title": "Strap colours", "body": "Which one?"})
    assert response.status_code == 302
    thread_url = response.headers["Location"]
    thread_id = int(thread_url.rsplit("/", 1)[1])
    assert client.get(f"/t/{thread_id}").headers["Location"] == thread_url
    reply = client.post(f"/t/{thread_id}/reply", data={"body": "Coral!"})
    assert reply.status_code == 302 and reply.headers["Location"].startswith(thread_url)
    page = client.get(thread_url).get_data(as_text=True)
    assert "Coral!" in page and "Strap colours" in page
    assert client.post(f"/circles/{slug}/leave").status_code == 302
    # An open circle stays readable, but replying needs membership again.
    assert client.get(thread_url).status_code == 200
    client.post(f"/t/{thread_id}/reply", data={"body": "Still here?"})
    assert "Still here?" not in client.get(thread_url).get_data(as_text=True)


def test_approval_requests_and_moderator_pages(app, client):
    with app.app_context():
        owner = make_fan("boss")
        make_fan("asker")
        circle = make_circle(owner, visibility="approval", name="Quiet club")
        slug = circle.slug
    _login(client, "asker")
    assert client.get(f"/circles/{slug}/members").status_code == 404
    client.post(f"/circles/{slug}/join")
    assert 'data-testid="requested"' in client.get(f"/circles/{slug}").get_data(as_text=True)
    client.post("/logout")
    _login(client, "boss")
    page = client.get(f"/circles/{slug}/members").get_data(as_text=True)
    assert "asker" in page.split('data-testid="join-requests"')[1]
    with app.app_context():
        asker_id = accounts.get_by_username("asker").id
    client.post(f"/circles/{slug}/requests/{asker_id}/approve")
    with app.app_context():
        assert db.session.get(CircleMember, (circle.id, asker_id)).role == "member"
    client.post(f"/circles/{slug}/members/{asker_id}/moderator")
    with app.app_context():
        assert db.session.get(CircleMember, (circle.id, asker_id)).role == "moderator"


def test_invitation_links_admit_to_a_private_circle(app, client):
    with app.app_context():
        owner = make_fan("host")
        make_fan("guest")
        make_fan("latecomer")
        circle = make_circle(owner, visibility="private", name="Secret garden")
        slug = circle.slug
    _login(client, "host")
    client.post(f"/circles/{slug}/invites", data={"expires_in_hours": 24, "max_uses": 1})
    with app.app_context():
        token = invites.invites_of(db.session.get(Circle, circle.id))[0].token
    client.post("/logout")
    _login(client, "guest")
    assert client.get(f"/circles/{slug}").status_code == 404
    landing = client.get(f"/circles/invite/{token}").get_data(as_text=True)
    assert "Secret garden" in landing and 'data-testid="accept-invite"' in landing
    assert client.post(f"/circles/{slug}/join", data={"invite": token}).status_code == 302
    assert client.get(f"/circles/{slug}").status_code == 200
    assert client.get("/circles/invite/forged-token").status_code == 404
    client.post("/logout")
    _login(client, "latecomer")  # the one use is spent: the dead link keeps the secret
    dead = client.get(f"/circles/invite/{token}").get_data(as_text=True)
    assert 'data-testid="invite-problem"' in dead and "Secret garden" not in dead


def test_meetup_page_rsvp_and_calendar(app, client):
    with app.app_context():
        owner = make_fan("organiser")
        circle = make_circle(owner, kind="city", city="杭州", name="Hangzhou club")
        event = make_event(circle, capacity=1, title="West Lake walk")
        slug, event_id, thread_id = circle.slug, event.id, event.thread_id
    _login(client, "organiser")
    page = client.get(f"/circles/{slug}/events/{event_id}").get_data(as_text=True)
    assert "West Lake walk" in page and 'data-testid="rsvp"' in page
    response = client.post(f"/circles/{slug}/events/{event_id}/rsvp",
                           headers={"Accept": "application/json"})
    assert response.get_json() == {"status": "going"}
    assert 'data-testid="my-rsvp"' in client.get(f"/circles/{slug}/events/{event_id}").get_data(as_text=True)
    ics = client.get(f"/circles/{slug}/events/{event_id}.ics")
    assert ics.mimetype == "text/calendar" and b"SUMMARY:West Lake walk" in ics.data
    # The meetup's discussion is a circle thread; the forum sends its readers here.
    assert client.get(f"/t/{thread_id}").headers["Location"] == f"/circles/{slug}/events/{event_id}"
    client.post(f"/circles/{slug}/events/{event_id}/cancel")
    with app.app_context():
        assert events.status_of(event_id, db.session.get(CircleMember, (circle.id, circle.owner_id)).user) is None


def test_circle_moderators_hide_posts_from_the_thread_page(app, client):
    with app.app_context():
        owner = make_fan("keeper")
        fan = make_fan("chatty")
        circle = make_circle(owner, members=[fan])
        thread = threads.create_thread(circle, fan, "Noise", "x")
        post = forum.reply(thread, fan, "spam spam")
        slug, thread_id, post_id = circle.slug, thread.id, post.id
    _login(client, "keeper")
    page = client.get(f"/circles/{slug}/t/{thread_id}").get_data(as_text=True)
    assert 'data-testid="circle-moderation"' in page
    client.post(f"/circles/{slug}/posts/{post_id}/hide")
    client.post("/logout")
    _login(client, "chatty")
    page = client.get(f"/circles/{slug}/t/{thread_id}").get_data(as_text=True)
    assert "spam spam" not in page and 'data-testid="circle-moderation"' not in page
    assert client.post(f"/circles/{slug}/t/{thread_id}/lock").status_code == 403


def test_a_profile_shows_only_the_circles_the_reader_may_see(app, client):
    with app.app_context():
        member = make_fan("joined")
        make_fan("stranger")
        make_circle(name="Public club", members=[member])
        make_circle(name="Friends only", visibility="private", members=[member])
    page = client.get("/u/joined").get_data(as_text=True)
    assert "Public club" in page and "Friends only" not in page
    _login(client, "joined")
    assert "Friends only" in client.get("/u/joined").get_data(as_text=True)
