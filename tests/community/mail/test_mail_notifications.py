"""Notification mail over real SMTP: per-kind choices, the daily digest (once per user
and day), and one-click unsubscribe that needs no sign-in and reaches no one else."""

from datetime import datetime, timedelta

from helpers import PASSWORD, mail_parts, make_board, make_thread, make_user
from sqlalchemy import func, select, update

from community.forum import service as forum
from community.ideas import service as ideas
from community.ideas import statuses
from community.kernel import clock
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.mail import notify, prefs, sender
from community.mail.models import MailOutbox
from community.notifications.models import Notification


def send(smtp, count):
    sender.send_due()
    assert smtp.wait_for(count), smtp.messages
    return smtp.messages


def test_replies_and_status_changes_come_at_once_the_rest_waits(ctx, smtp):
    author, replier = make_user("author"), make_user("replier")
    thread = make_thread(author=author, title="Sauna-proof band")
    forum.reply(thread, replier, "Works for me, @author and @watcher")
    make_user("watcher")
    [message] = send(smtp, 1)
    assert message["To"] == "author@example.com"
    assert "replier replied to “Sauna-proof band”" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/mail/unsubscribe/" in message["List-Unsubscribe"]
    text, html = mail_parts(message)
    assert "Works for me" in text and "http://fanforge.test/p/" in text
    assert "Unsubscribe" in html and "http://fanforge.test/settings#mail" in html

    board = make_board()
    follower, staff = make_user("follower"), make_user("boss", role="staff")
    idea = ideas.propose(board, make_user("proposer"), "Twenty days of battery", "Please")
    ideas.vote(idea.id, follower)  # voting follows the idea
    statuses.change_status(idea.id, staff, "planned", "On the roadmap.")
    messages = send(smtp, 3)
    assert {m["To"] for m in messages[1:]} == {"follower@example.com", "proposer@example.com"}
    assert all("planned" in m["Subject"].lower() or "Planned" in m["Subject"] for m in messages[1:])


def test_each_kind_follows_the_fans_choice(ctx, smtp):
    author, other = make_user("author"), make_user("other")
    prefs.set_preferences(author, {"reply": "never", "mention": "immediate"})
    thread = make_thread(author=author)
    forum.reply(thread, other, "A reply without a mention")
    forum.reply(make_thread(author=other), other, "Hello @author")
    [message] = send(smtp, 1)
    assert "mentioned you" in message["Subject"]
    assert db.session.scalar(select(func.count()).select_from(MailOutbox)) == 1
    assert prefs.preferences(author.id)["reply"] == "never"


def test_unconfirmed_or_banned_fans_get_no_notification_mail(ctx, smtp):
    from community.moderation import service as sanctions_service

    shy, banned = make_user("shy"), make_user("banned")
    shy_thread, banned_thread = make_thread(author=shy), make_thread(author=banned)
    with transaction():  # shy changed address and has not confirmed the new one yet
        db.session.get(type(shy), shy.id).email_verified_at = None
    sanctions_service.ban_user(banned, make_user(role="staff"), "spam")
    replier = make_user("replier")
    forum.reply(shy_thread, replier, "hi")
    forum.reply(banned_thread, replier, "hi")
    sender.send_due()
    assert not [m for m in smtp.messages if "replied" in m["Subject"]]


def _yesterday(notes_of):
    """Move a user's notifications to yesterday (community time); returns that day."""
    when = utcnow() - timedelta(days=1)
    with transaction():
        db.session.execute(update(Notification).where(Notification.user_id == notes_of.id)
                           .values(created_at=when))
    return clock.utc_to_local(when).date()


def test_the_digest_groups_yesterdays_notifications_once_per_day(ctx, smtp):
    fan, poster = make_user("fan"), make_user("poster")
    from community.accounts import follows

    follows.follow(fan, "user", poster.id)
    board = make_board()
    ideas.propose(board, poster, "A slimmer robot vacuum", "9 cm")
    ideas.propose(board, poster, "Temporary door codes", "For guests")
    forum.reply(make_thread(author=poster), poster, "Ping @fan")
    day = _yesterday(fan)
    forum.reply(make_thread(author=poster), poster, "Today's ping @fan")  # today: not in it
    with transaction():
        assert notify.queue_digests(day) == 1
    with transaction():
        assert notify.queue_digests(day) == 0  # a second run, another worker: still one
    [message] = send(smtp, 1)
    assert message["To"] == "fan@example.com" and "3 new" in message["Subject"]
    text, html = mail_parts(message)
    assert "New ideas from people you follow (2)" in text and "Mentions of you (1)" in text
    assert "A slimmer robot vacuum" in html and "Today's ping" not in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert db.session.scalar(select(func.count()).select_from(MailOutbox)
                             .where(MailOutbox.kind == "digest")) == 1


def test_read_notifications_stay_out_of_the_digest(ctx, smtp):
    from community.notifications import service as notifications

    fan, poster = make_user("fan"), make_user("poster")
    forum.reply(make_thread(author=poster), poster, "Ping @fan")
    day = _yesterday(fan)
    notifications.mark_all_read(fan)
    with transaction():
        assert notify.queue_digests(day) == 0
    sender.send_due()
    assert smtp.messages == []


def test_the_digest_is_due_from_the_digest_hour_local_time(ctx):
    zone_now = datetime(2030, 5, 2, 7, 59)  # local time, Asia/Shanghai by default
    utc = clock.local_to_utc(zone_now)
    assert notify.due_digest_day(utc, 8) is None
    assert notify.due_digest_day(utc + timedelta(minutes=1), 8) == datetime(2030, 5, 1).date()


def _unsubscribe_link(smtp):
    header = smtp.messages[-1]["List-Unsubscribe"].strip()
    return header.strip("<>").removeprefix("http://fanforge.test")


def test_one_click_unsubscribe_works_without_signing_in(app, smtp):
    with app.app_context():
        author, replier = make_user("author"), make_user("replier")
        author_id = author.id
        forum.reply(make_thread(author=author), replier, "hello")
        send(smtp, 1)
    link = _unsubscribe_link(smtp)
    visitor = app.test_client()
    page = visitor.get(link)  # a link checker fetching it changes nothing
    assert page.status_code == 200 and 'data-testid="unsubscribe"' in page.get_data(as_text=True)
    with app.app_context():
        assert prefs.preferences(author_id)["reply"] == "immediate"
    # What a mail client sends for RFC 8058 one-click: a POST, no cookies, no CSRF token.
    done = visitor.post(link, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and 'data-testid="unsubscribed"' in done.get_data(as_text=True)
    with app.app_context():
        assert prefs.preferences(author_id)["reply"] == "never"
        author = db.session.get(type(author), author_id)
        forum.reply(make_thread(author=author), make_user(), "again")
        sender.send_due()
    assert len(smtp.messages) == 1


def test_a_digest_unsubscribe_stops_every_digest_kind(ctx):
    fan = make_user()
    prefs.set_preferences(fan, {"mention": "immediate"})
    stopped = prefs.unsubscribe(fan.id, prefs.DIGEST)
    assert "mention" not in stopped and "new_idea" in stopped
    chosen = prefs.preferences(fan.id)
    assert chosen["mention"] == "immediate" and chosen["new_idea"] == "never"
    assert chosen["reply"] == "immediate"


def test_a_tampered_or_someone_elses_unsubscribe_link_changes_nothing(app, client, auth):
    with app.app_context():
        victim, other = make_user("victim"), make_user("other")
        token = prefs.unsubscribe_token(victim.id, "reply")
        forged = prefs.unsubscribe_token(other.id, "reply")
    # Another user's id spliced into a genuine link: the signature no longer matches.
    spliced = forged.split(".")[0] + "." + token.split(".")[1]
    for bad in (spliced, token[:-2] + "zz", "nonsense"):
        for method in (client.get, client.post):
            response = method(f"/mail/unsubscribe/{bad}")
            assert response.status_code == 400
            assert "nothing was changed" in response.get_data(as_text=True)
    auth.login("other")  # a genuine link, but for the victim's list
    for method in (client.get, client.post):
        response = method(f"/mail/unsubscribe/{token}")
        assert response.status_code == 403 and "another account" in response.get_data(as_text=True)
    with app.app_context():
        assert prefs.preferences(victim.id)["reply"] == "immediate"
        assert prefs.preferences(other.id)["reply"] == "immediate"


def test_the_settings_page_saves_mail_choices(app, client, auth):
    with app.app_context():
        fan = make_user("picky")
    auth.login("picky", PASSWORD)
    page = client.get("/settings").get_data(as_text=True)
    assert 'data-testid="mail-settings"' in page and 'name="mail-new_idea"' in page
    response = client.post("/settings/mail", data={"mail-new_idea": "never",
                                                   "mail-mention": "immediate"})
    assert response.status_code == 302
    with app.app_context():
        chosen = prefs.preferences(fan.id)
    assert chosen["new_idea"] == "never" and chosen["mention"] == "immediate"
    assert client.post("/settings/mail", data={"mail-reply": "loud"}).status_code == 422


def test_a_reply_in_a_circle_thread_is_mailed_to_its_member_author(ctx, smtp):
    from community.accounts.models import User
    from community.circles import service as circles
    from community.circles import threads

    host, guest = make_user("host"), make_user("guest")
    with transaction():  # starting a circle needs a level
        db.session.execute(update(User).values(points=100))
    host = db.session.get(User, host.id, populate_existing=True)
    circle = circles.create_circle(host, "Night riders", "riders", "", "interest", None, "open")
    circles.join(circle, guest)
    thread = threads.create_thread(circle, host, "Route for Friday", "Bund to Pudong")
    forum.reply(thread, guest, "Count me in")
    [message] = send(smtp, 1)
    assert message["To"] == "host@example.com"
    assert "Count me in" in mail_parts(message)[0]


def test_one_persons_notice_is_mailed_if_they_want_that_kind_at_once(ctx):
    fan, banned = make_user("fan"), make_user("banned")
    with transaction():
        db.session.get(type(banned), banned.id).banned_at = utcnow()

    def told(user, kind, **values):
        with transaction():
            note_id = notify.notify_and_mail(kind, user.id, **values)
        note = db.session.get(Notification, note_id)
        mailed = db.session.scalars(select(MailOutbox.user_id).where(
            MailOutbox.kind == "notification", MailOutbox.ref_id == note_id)).all()
        return note, mailed

    note, mailed = told(fan, "new_idea", title="x" * 300, excerpt=None)  # a digest kind
    assert (note.user_id, note.kind, len(note.title), note.excerpt, mailed) == (
        fan.id, "new_idea", 200, "", [])
    assert told(fan, "reply", title="Hi")[1] == [fan.id]  # immediate by default
    prefs.set_preferences(fan, {"new_idea": "immediate", "reply": "never"})
    assert told(fan, "new_idea", title="Again")[1] == [fan.id]
    assert told(fan, "reply", title="Hi again")[1] == []
    assert told(banned, "reply", title="Hi")[1] == []
