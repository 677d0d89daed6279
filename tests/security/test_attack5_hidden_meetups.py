"""attack5: a meetup its circle's moderators hid (its thread hidden: its page is a 404 for
everyone but staff) still showed its title and date to outsiders, on an approval circle's
page and on a private circle's invitation page, and the worker still reminded those going
the day before. Hiding an abusive or scam meetup left its title in front of every visitor."""

from datetime import timedelta

from helpers import PASSWORD, make_user
from sqlalchemy import select, update

from community.accounts import service as accounts
from community.accounts.models import User
from community.circles import events, invites, moderation, notices, service
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.notifications.models import Notification


def _fan(name):
    user = make_user(name)
    with transaction():  # starting a circle needs a level
        db.session.execute(update(User).where(User.id == user.id).values(points=100))
    return accounts.get_by_username(name)


def _circle(owner, name, visibility):
    return service.create_circle(owner, name, name.lower().replace(" ", "-"), "A circle.",
                                 "interest", None, visibility)


def _meetup(circle, owner, title, starts_in):
    starts = utcnow() + starts_in
    return events.create_event(circle, owner, title, "Come along.", "Tea house, 2F", starts,
                               starts + timedelta(hours=2), 10)


def _login(client, name):
    assert client.post("/login", data={"login": name, "password": PASSWORD}).status_code == 302
    return client


def test_a_hidden_meetup_shows_no_outsider_its_title(app):
    with app.app_context():
        owner = _fan("boss5")
        _fan("outsider5")
        quiet = _circle(owner, "Quiet five", "approval")
        secret = _circle(owner, "Secret five", "private")
        for circle in (quiet, secret):
            _meetup(circle, owner, f"Kept meetup of {circle.name}", timedelta(days=3))
            gone = _meetup(circle, owner, f"Scam meetup of {circle.name}", timedelta(days=2))
            moderation.thread_action(circle, owner, gone.thread_id, "hide", "a scam")
        token = invites.create_invite(secret, owner, 24, 5).token

    for client in (app.test_client(), _login(app.test_client(), "outsider5")):
        for _ in range(2):  # drawn, then perhaps from the page cache
            page = client.get("/circles/quiet-five").get_data(as_text=True)
            assert "Kept meetup of Quiet five" in page
            assert "Scam meetup" not in page
        page = client.get(f"/circles/invite/{token}").get_data(as_text=True)
        assert "Kept meetup of Secret five" in page
        assert "Scam meetup" not in page


def test_a_hidden_meetup_reminds_nobody(app):
    with app.app_context():
        owner, goer = _fan("boss5r"), _fan("goer5r")
        circle = _circle(owner, "Remind five", "open")
        service.join(circle, goer)
        gone = _meetup(circle, owner, "Scam meetup tonight", timedelta(hours=5))
        assert events.rsvp(gone.id, goer) == "going"
        moderation.thread_action(circle, owner, gone.thread_id, "hide", "a scam")
        notices.remind_due()
        assert db.session.scalars(select(Notification).where(
            Notification.user_id == goer.id, Notification.kind == "meetup_reminder")).all() == []


def test_a_hidden_meetup_is_a_missing_one_in_the_api_and_its_calendar_file(app):
    with app.app_context():
        owner = _fan("boss5a")
        _fan("fan5a")
        circle = _circle(owner, "Open five", "open")
        gone = _meetup(circle, owner, "Scam meetup by the river", timedelta(days=2))
        moderation.thread_action(circle, owner, gone.thread_id, "hide", "a scam")
        event_id = gone.id

    visitor = app.test_client()
    answer = visitor.get(f"/api/v1/events/{event_id}")
    assert answer.status_code == 404 and "Scam meetup" not in answer.get_data(as_text=True)
    answer = visitor.get(f"/circles/open-five/events/{event_id}.ics")
    assert answer.status_code == 404 and "Scam meetup" not in answer.get_data(as_text=True)
    fan = _login(app.test_client(), "fan5a")
    assert fan.post(f"/circles/open-five/events/{event_id}/rsvp").status_code == 404


def test_a_stored_circle_page_forgets_a_meetup_hidden_after_it_was_kept(app):
    with app.app_context():
        owner = _fan("boss5s")
        circle = _circle(owner, "Stored five", "approval")
        gone = _meetup(circle, owner, "Scam meetup at noon", timedelta(days=2))
        circle_id, thread_id = circle.id, gone.thread_id
    visitor = app.test_client()
    for _ in range(2):
        assert "Scam meetup at noon" in visitor.get("/circles/stored-five").get_data(as_text=True)
    with app.app_context():
        moderation.thread_action(db.session.get(type(circle), circle_id), owner, thread_id,
                                 "hide", "a scam")
    assert "Scam meetup" not in visitor.get("/circles/stored-five").get_data(as_text=True)
