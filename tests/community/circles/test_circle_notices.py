"""Circles tell people: a request to join reaches the moderators, its outcome the fan who
asked, a new meetup the members, and a reminder the day before those going, each once.
A closed circle shows outsiders its coming meetups' titles and nothing else of it, and
"Request sent" is the asker's alone, whatever the page cache holds."""

from datetime import timedelta

import pytest
from circle_factories import add_member, make_circle, make_event, make_fan
from flask_babel import force_locale
from helpers import PASSWORD
from sqlalchemy import select

from community.circles import events, invites, notices, service, threads
from community.circles.models import CircleMember
from community.kernel.database import transaction, utcnow
from community.kernel.errors import NotFound
from community.kernel.extensions import db
from community.notifications.models import Notification
from community.notifications.views import event_url


def _notices(user, kind):
    return db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind)).all()


def _moderate(circle, user):
    with transaction():
        db.session.get(CircleMember, (circle.id, user.id)).role = "moderator"


def test_a_request_reaches_the_moderators_once_and_its_outcome_the_asker(ctx):
    owner, helper, member, asker, other = (make_fan() for _ in range(5))
    circle = make_circle(owner, visibility="approval", members=[helper, member])
    _moderate(circle, helper)
    assert service.join(circle, asker) == "requested"
    assert service.join(circle, asker) == "requested"  # asking again tells nobody again
    for moderator in (owner, helper):
        [notice] = _notices(moderator, "circle_request")
        assert notice.actor_id == asker.id
        with ctx.test_request_context():
            assert notices.KINDS[0][4](notice) == f"{asker.username} asked to join {circle.name}"
            assert event_url(notice) == f"/circles/{circle.slug}/members"
            with force_locale("zh"):
                assert notices.KINDS[0][4](notice) == f"{asker.username} 申请加入 {circle.name}"
    assert _notices(member, "circle_request") == []  # a plain member decides nothing

    service.decide_request(circle, owner, asker.id, True)
    [approved] = _notices(asker, "circle_approved")
    with ctx.test_request_context():
        assert event_url(approved) == f"/circles/{circle.slug}"

    service.join(circle, other)
    service.decide_request(circle, helper, other.id, False)
    assert len(_notices(other, "circle_declined")) == 1
    assert _notices(other, "circle_approved") == []
    assert _notices(asker, "circle_declined") == []


def test_members_hear_of_a_new_meetup_and_its_creator_does_not(ctx):
    fans = [make_fan() for _ in range(2)]
    outsider = make_fan()
    circle = make_circle(members=fans)
    event = make_event(circle, title="Tea by the lake")
    for fan in fans:
        [notice] = _notices(fan, "circle_meetup")
        assert (notice.title, notice.detail, notice.thread_id) == (
            "Tea by the lake", circle.name, event.thread_id)
    assert _notices(circle.owner, "circle_meetup") == []
    assert _notices(outsider, "circle_meetup") == []


def test_the_reminder_goes_once_to_those_going_however_often_the_job_runs(ctx):
    going, waiting, absent = make_fan(), make_fan(), make_fan()
    circle = make_circle(members=[going, waiting, absent])
    soon = make_event(circle, capacity=1, starts_in_hours=20, title="Tomorrow's walk")
    later = make_event(circle, starts_in_hours=72, title="Next week's walk")
    assert events.rsvp(soon.id, going) == "going"
    assert events.rsvp(soon.id, waiting) == "waitlisted"
    events.rsvp(later.id, going)

    assert notices.remind_due() == 1
    assert notices.remind_due() == 1  # the job again: nobody hears twice
    [reminder] = _notices(going, "meetup_reminder")
    assert (reminder.title, reminder.ref_key) == ("Tomorrow's walk", f"meetup:{soon.id}")
    assert _notices(waiting, "meetup_reminder") == []
    assert _notices(absent, "meetup_reminder") == []

    # A day later the other meetup is due: its own reminder, still once per fan.
    assert notices.remind_due(utcnow() + timedelta(hours=60)) == 1
    assert notices.remind_due(utcnow() + timedelta(hours=60)) == 1
    assert sorted(n.title for n in _notices(going, "meetup_reminder")) == [
        "Next week's walk", "Tomorrow's walk"]


def test_leaving_takes_the_circles_notices_along(ctx):
    owner, fan = make_fan(), make_fan()
    circle = make_circle(owner, visibility="approval")
    service.join(circle, fan)
    service.decide_request(circle, owner, fan.id, True)
    make_event(circle)
    assert {n.kind for n in _notices(fan, "circle_approved") + _notices(fan, "circle_meetup")} \
        == {"circle_approved", "circle_meetup"}
    service.leave(circle, fan)
    assert db.session.scalars(select(Notification).where(Notification.user_id == fan.id)).all() == []


def _login(client, name):
    assert client.post("/login", data={"login": name, "password": PASSWORD}).status_code == 302
    return client


def test_a_closed_circle_shows_outsiders_meetup_titles_and_nothing_else(app):
    with app.app_context():
        owner, member = make_fan("boss"), make_fan("insider")
        make_fan("outsider")
        quiet = make_circle(owner, visibility="approval", name="Quiet club", members=[member])
        hidden = make_circle(owner, visibility="private", name="Hidden club", members=[member])
        for circle in (quiet, hidden):
            make_event(circle, title=f"Picnic of {circle.name}")
            threads.create_thread(circle, member, "Members only gossip", "Psst, a secret.")
        token = invites.create_invite(hidden, owner, 24, 5).token
        quiet_slug, hidden_slug = quiet.slug, hidden.slug

    for client in (app.test_client(), _login(app.test_client(), "outsider")):
        page = client.get(f"/circles/{quiet_slug}").get_data(as_text=True)
        assert "Picnic of Quiet club" in page and 'data-testid="meetup-titles"' in page
        assert "Members only gossip" not in page and "Tea house" not in page
        assert "/events/" not in page  # no way to the meetup's page
        assert client.get(f"/circles/{hidden_slug}").status_code == 404
        page = client.get(f"/circles/invite/{token}").get_data(as_text=True)
        assert "Picnic of Hidden club" in page
        assert "Members only gossip" not in page and "Tea house" not in page


def test_request_sent_is_the_askers_alone(app):
    with app.app_context():
        make_circle(make_fan("boss"), visibility="approval", slug="quiet")
        make_fan("asker")
        make_fan("neighbour")
    visitor = app.test_client()
    assert visitor.get("/circles/quiet").status_code == 200  # now stored for visitors
    asker = _login(app.test_client(), "asker")
    assert asker.post("/circles/quiet/join").status_code == 302
    page = asker.get("/circles/quiet").get_data(as_text=True)
    assert 'data-testid="requested"' in page
    again = asker.get("/circles/quiet")
    assert 'data-testid="requested"' in again.get_data(as_text=True)
    assert again.headers.get("X-Page-Cache") != "hit"
    for client in (visitor, _login(app.test_client(), "neighbour")):
        for _ in range(2):
            page = client.get("/circles/quiet").get_data(as_text=True)
            assert 'data-testid="requested"' not in page
            assert "Request sent" not in page


def test_a_second_moderator_deciding_the_same_request_tells_nobody_again(ctx):
    owner, helper, asker = make_fan(), make_fan(), make_fan()
    circle = make_circle(owner, visibility="approval")
    add_member(circle, helper)
    _moderate(circle, helper)
    service.join(circle, asker)
    service.decide_request(circle, owner, asker.id, True)
    with pytest.raises(NotFound):  # the request is gone: nothing to decide
        service.decide_request(circle, helper, asker.id, False)
    assert len(_notices(asker, "circle_approved")) == 1
