"""A backers-only update's reply thread is its backers' and staff's: everyone else gets
the 404 of a missing thread, for the thread, its replies, replying, search and through
the page cache; a public update's thread stays open to all."""

from helpers import AuthActions, indexed_search_keys, make_campaign, make_user
from sqlalchemy import select

from community.accounts.models import User
from community.forum import service as forum
from community.forum.models import Post
from community.kernel.extensions import db
from community.notifications.models import Notification
from community.search import outbox
from products.campaigns.models import Campaign
from products.notices import service as notices
from products.notices.models import BackerUpdate
from products.orders import service as orders

SECRET = "Sekrit moulds"


def signed_in(app, username):
    client = app.test_client()
    if username:
        AuthActions(client).login(username)
    return client


def world(app):
    with app.app_context():
        staff = make_user("boss", role="staff")
        campaign = make_campaign(staff=staff)
        backer = make_user("backer")
        make_user("outsider")
        orders.place_order(campaign.id, backer, campaign.tiers[0].id, 1, "k-backer")
        hidden = notices.post_update(campaign.id, staff, SECRET, "For backers",
                                     audience="backers")
        public = notices.post_update(campaign.id, staff, "Open news", "For all")
        reply = forum.reply(db.session.get(forum.Thread, hidden.thread_id), backer,
                            "Backer reply text")
        return {"thread": hidden.thread_id, "update": hidden.id, "post": reply.id,
                "public_thread": public.thread_id}


def test_only_backers_and_staff_read_a_backers_only_thread(app):
    ids = world(app)
    missing = signed_in(app, None).get("/t/999999")
    assert missing.status_code == 404
    # The backer first, so a page stored for them would be served next.
    for who, status in (("backer", 200), (None, 404), ("outsider", 404), ("boss", 200),
                        (None, 404), ("backer", 200), ("outsider", 404)):
        client = signed_in(app, who)
        page = client.get(f"/t/{ids['thread']}")
        assert page.status_code == status, (who, page.status_code)
        text = page.get_data(as_text=True)
        assert ("Backer reply text" in text) is (status == 200), who
        assert (SECRET in text) is (status == 200), who
        if status == 404:
            assert "No such thread." in text and "No such thread." in missing.get_data(
                as_text=True)  # the answer to a thread that does not exist
            assert client.get(f"/updates/{ids['update']}").status_code == 404
            assert client.get(f"/p/{ids['post']}").status_code == 404
        else:
            assert SECRET in client.get(f"/updates/{ids['update']}").get_data(as_text=True)
    # The public update's thread is anyone's.
    assert signed_in(app, None).get(f"/t/{ids['public_thread']}").status_code == 200


def test_an_outsider_cannot_reply_or_reach_the_replies(app):
    ids = world(app)
    outsider = signed_in(app, "outsider")
    response = outsider.post(f"/t/{ids['thread']}/reply", data={"body": "Let me in"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Post.id).where(Post.body == "Let me in")) is None
    backer = signed_in(app, "backer")
    assert backer.post(f"/t/{ids['thread']}/reply",
                       data={"body": "Me too"}).status_code in (302, 303)


def test_a_backers_only_thread_is_never_searchable(app):
    ids = world(app)
    with app.app_context():
        outbox.drain()
        keys = indexed_search_keys()
        assert f"thread:{ids['thread']}" not in keys
        assert f"reply:{ids['post']}" not in keys
        assert f"thread:{ids['public_thread']}" in keys


def test_replies_reach_the_updates_author_and_mentioned_readers_only(app):
    ids = world(app)
    with app.app_context():
        campaign_id = db.session.scalar(select(BackerUpdate.campaign_id).where(
            BackerUpdate.id == ids["update"]))
        other = make_user("otherbacker")
        orders.place_order(campaign_id, other, db.session.get(Campaign, campaign_id).tiers[0].id,
                           1, "k-other")
        users = {u.username: u.id for u in db.session.scalars(select(User))}
        db.session.execute(Notification.__table__.delete())
        db.session.commit()
    backer = signed_in(app, "backer")
    assert backer.post(f"/t/{ids['thread']}/reply", data={
        "body": "Thanks! @outsider @otherbacker look"}).status_code in (302, 303)
    with app.app_context():
        told = set(db.session.execute(select(Notification.kind, Notification.user_id)).all())
    assert told == {("reply", users["boss"]), ("mention", users["otherbacker"])}
