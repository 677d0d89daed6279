"""Private means private: an outsider, signed in as a fan and as staff, tries every page
and API route that names a private circle, its threads, posts, meetups and invitations, or
someone else's conversation and its messages. Routes come from the app's URL map, so a new
route is covered the day it is added. Each answers 404, nothing is written, and no search,
feed, notification, directory or profile shows their content."""

import itertools
import re
from datetime import timedelta

import pytest
from helpers import PASSWORD, make_board, make_campaign, make_thread, make_user
from sqlalchemy import func, select, update

from community import search
from community.accounts import tokens
from community.accounts.models import User
from community.circles import events, invites, service, threads
from community.circles.models import CircleCard, CircleMember, Invite, JoinRequest, Rsvp
from community.forum import service as forum
from community.forum.models import ModerationAction, Post, PostLike
from community.ideas import service as ideas
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.messages import sending
from community.messages import service as messages
from community.messages.models import Message, Participant
from community.notifications.models import Notification
from community.reports.models import Report
from products.orders.models import Order

SECRET = "zebracrossword"
# Arguments naming something private: a rule with one of them is in scope.
PRIVATE_ARGS = ("thread_id", "post_id", "event_id", "invite_id", "conversation_id", "message_id")
# A circle's slug is private on circle routes only (boards and products have slugs too).
CIRCLE_PREFIXES = ("/circles/", "/api/v1/circles/")
# Staff's one window into a conversation is a report a participant filed (community/reports):
# the queue is staff's, and it has its own tests (tests/community/reports).
NOT_IN_SCOPE = ("report_queue.",)
WRITTEN = (CircleMember, JoinRequest, Invite, Rsvp, CircleCard, Post, PostLike, Message,
           Participant, Report, ModerationAction)
MISSING = 987_654


def _level_up(*users):
    with transaction():
        db.session.execute(update(User).where(User.id.in_([u.id for u in users]))
                           .values(points=100))
    return [db.session.get(User, u.id, populate_existing=True) for u in users]


@pytest.fixture
def world(app):
    with app.app_context():
        owner, member, fan, left = _level_up(make_user("owner"), make_user("member"),
                                             make_user("outsider"), make_user("leaver"))
        staff = make_user("outsider_staff", role="staff")
        circle = service.create_circle(owner, f"Hush {SECRET}", "hush", f"About {SECRET}",
                                       visibility="private")
        invite = invites.create_invite(circle, owner, 24, 5)
        for person in (member, left):
            service.join(circle, person, invite.token)
        thread = threads.create_thread(circle, owner, f"Plans {SECRET}",
                                       f"Body {SECRET} @member @leaver @outsider")
        post = forum.reply(thread, member, f"Reply {SECRET} @outsider")
        idea = ideas.propose(make_board(), owner, "A public idea to share", "b")
        threads.share(thread.id, owner, "idea", idea.id, f"Card {SECRET}")
        campaign = make_campaign()
        threads.share(thread.id, owner, "campaign", campaign.id)
        starts = utcnow() + timedelta(days=2)
        event = events.create_event(circle, owner, f"Meetup {SECRET}", SECRET, "Somewhere",
                                    starts, starts + timedelta(hours=2), 5)
        events.rsvp(event.id, member)
        conversation, _ = messages.start(owner, ["member"])
        message = sending.send(conversation.id, owner, f"Whisper {SECRET}", ("idea", idea.id))
        sending.send(conversation.id, owner, "", ("campaign", campaign.id))
        group, _ = messages.start(member, ["owner"], f"Group {SECRET}")
        sending.send(group.id, member, f"Group whisper {SECRET}")
        service.leave(circle, db.session.get(User, left.id))
        make_thread(title=f"Public {SECRET}")  # the search finds the word where it may
        search.drain()
        values = {"slug": circle.slug, "thread_id": thread.id, "post_id": post.id,
                  "event_id": event.id, "invite_id": invite.id,
                  "conversation_id": conversation.id, "message_id": message.id,
                  "user_id": member.id, "token": "no-such-invitation"}
        keys = {u.username: tokens.create_token(u, "t")[1] for u in (fan, staff, left)}
        # Ids that travel in a form or a JSON body rather than in the URL.
        body_ids = {"circle": circle.id, "conversation": conversation.id, "thread": thread.id,
                    "idea": idea.id, "campaign": campaign.id, "tier": campaign.tiers[0].id}
    return {"values": values, "keys": keys, "body_ids": body_ids}


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(NOT_IN_SCOPE):
            continue
        circle_rule = rule.rule.startswith(CIRCLE_PREFIXES) and (
            "slug" in rule.arguments or rule.endpoint == "circles.invite")
        if circle_rule or set(rule.arguments) & set(PRIVATE_ARGS):
            yield rule


ARGUMENT = re.compile(r"<(?:any\((?P<any>[^)]*)\):|[a-z]+(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _choices(rule):
    """Every combination of a rule's any(...) arguments: /members/<id>/remove, /moderator..."""
    options = [[o.strip() for o in m["any"].split(",")] for m in ARGUMENT.finditer(rule.rule)
               if m["any"]]
    return [list(c) for c in itertools.product(*options)]


def _path(rule, values, missing=False, choice=()):
    picks = iter(choice)

    def fill(match):
        name = match["name"]
        if match["any"]:
            return next(picks)
        if name == "action":
            return "hide"
        value = values[name]
        return str(MISSING) if missing and isinstance(value, int) and name != "user_id" else \
            str(value)

    return ARGUMENT.sub(fill, rule.rule)


def _counts():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in WRITTEN}


@pytest.mark.long
@pytest.mark.parametrize("outsider", ["outsider", "outsider_staff"])
def test_every_route_of_private_things_is_a_404(app, world, outsider):
    client = app.test_client()
    assert client.post("/login", data={"login": outsider, "password": PASSWORD}).status_code == 302
    bearer = {"Authorization": f"Bearer {world['keys'].get(outsider) or _token(app, outsider)}"}
    with app.app_context():
        before = _counts()
    tried, failures = 0, []
    for rule, choice in ((r, c) for r in _rules(app) for c in _choices(r)):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            api = rule.rule.startswith("/api/")
            path = _path(rule, world["values"], choice=choice)
            response = client.open(path, method=method, json={} if api else None,
                                   headers=bearer if api else {})
            tried += 1
            if response.status_code == 404:
                continue
            # Staff-only routes refuse a fan before looking anything up: the same answer
            # for a private id as for one that does not exist leaks nothing.
            twin = client.open(_path(rule, world["values"], True, choice), method=method,
                               json={} if api else None, headers=bearer if api else {})
            if not (response.status_code == twin.status_code == 403 and outsider == "outsider"):
                failures.append(f"{method} {path} -> {response.status_code}")
    assert failures == []
    assert tried > 50  # the sweep really found the routes
    with app.app_context():
        assert _counts() == before


def test_ids_in_a_form_or_body_are_404_too(app, world):
    """Sharing into their conversation or circle thread, and pre-ordering from the cards
    shared there (form and API), name the place in the body: still a 404, nothing written
    (an outsider, then one who left, on the same world)."""
    for outsider in ("outsider", "leaver"):
        _ids_in_a_form_or_body_are_404(app, world, outsider)


def _ids_in_a_form_or_body_are_404(app, world, outsider):
    ids = world["body_ids"]
    client = app.test_client()
    client.post("/login", data={"login": outsider, "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {world['keys'][outsider]}"}
    with app.app_context():
        before = dict(_counts(), orders=db.session.scalar(select(func.count()).select_from(Order)))
    for place in (f"conversation:{ids['conversation']}", f"circle_thread:{ids['thread']}"):
        shared = client.post("/share", data={"kind": "idea", "id": ids["idea"], "place": place,
                                             "comment": "mine now"})
        assert shared.status_code == 404, place
    for n, (kind, place_id) in enumerate((("conversation", ids["conversation"]),
                                          ("circle", ids["circle"]))):
        form = client.post(f"/campaigns/{ids['campaign']}/preorder", data={
            "tier": ids["tier"], "quantity": 1, "idempotency_key": f"form-{n}",
            "source_kind": kind, "source_id": place_id})
        assert form.status_code == 404, kind
        api = client.post(f"/api/v1/campaigns/{ids['campaign']}/preorders",
                          json={"tier": ids["tier"], "quantity": 1,
                                "source": {"kind": kind, "id": place_id}},
                          headers=dict(bearer, **{"Idempotency-Key": f"api-{n}"}))
        assert api.status_code == 404, kind
    with app.app_context():
        assert dict(_counts(), orders=db.session.scalar(
            select(func.count()).select_from(Order))) == before


def _token(app, username):
    with app.app_context():
        return tokens.create_token(db.session.scalar(select(User).where(
            User.username == username)), "t")[1]


def test_no_search_feed_notification_list_or_profile_shows_them(app, world):
    for who in ("outsider", "outsider_staff", "leaver"):  # reads only: one world for the three
        _nothing_of_theirs_shows_to(app, world, who)


def _nothing_of_theirs_shows_to(app, world, who):
    client = app.test_client()
    client.post("/login", data={"login": who, "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {world['keys'].get(who) or _token(app, who)}"}
    found = client.get(f"/search?q={SECRET}").get_data(as_text=True)
    assert "Public" in found  # the index works, and holds only what may show
    assert "Plans" not in found and "Reply" not in found and "Hush" not in found
    hits = client.get(f"/api/v1/search?q={SECRET}").get_json()["items"]
    assert [h["title"] for h in hits] == [f"Public {SECRET}"]
    pages = ["/feed", "/notifications", "/circles", "/circles/mine", "/conversations",
             "/u/owner", "/u/member", "/u/owner?tab=replies", "/u/member?tab=replies", "/",
             "/ideas"]
    if who == "outsider_staff":
        pages.append("/mod/log")
    for page in pages:
        body = client.get(page).get_data(as_text=True).replace(f"Public {SECRET}", "")
        assert SECRET not in body and "Hush" not in body, page
    circles = client.get("/api/v1/circles", headers=bearer).get_json()["items"]
    assert [c["slug"] for c in circles] == []
    conversations = client.get("/api/v1/conversations", headers=bearer).get_json()["items"]
    assert all(SECRET not in (c["title"] or "") for c in conversations)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == who))
        notices = db.session.scalars(select(Notification).where(
            Notification.user_id == user.id)).all()
        assert [n for n in notices if SECRET in (n.excerpt + n.title)] == []


def test_members_do_see_it(app, world):
    client = app.test_client()
    client.post("/login", data={"login": "member", "password": PASSWORD})
    values = world["values"]
    assert SECRET in client.get("/circles/hush").get_data(as_text=True)
    assert SECRET in client.get(f"/circles/hush/t/{values['thread_id']}").get_data(as_text=True)
    assert SECRET in client.get(f"/conversations/{values['conversation_id']}").get_data(as_text=True)
    notices = client.get("/notifications").get_data(as_text=True)
    assert SECRET in notices  # the mention reached a member


def test_circles_board_is_offered_nowhere_and_ranks_nobody(app, client, world):
    from community.circles.threads import BOARD_SLUG

    page = client.get("/leaderboards").get_data(as_text=True)
    assert BOARD_SLUG not in page
    assert client.get(f"/leaderboards?board={BOARD_SLUG}").status_code == 404
    assert BOARD_SLUG not in client.get("/").get_data(as_text=True)
