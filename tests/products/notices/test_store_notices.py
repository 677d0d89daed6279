"""The store speaks: buyers, followers and backers hear of its events once each, in the
notifications and by mail as each chose; big audiences are told by the worker in batches
that survive a dead worker."""

import pytest
from helpers import make_campaign, make_product, make_user
from sqlalchemy import func, select

from community.kernel.extensions import db
from community.mail import broadcast, prefs, sender
from community.mail.models import MailOutbox
from community.notifications.models import NoticeBatch, Notification
from products.campaigns import service as campaigns
from products.notices import service as notices
from products.orders import service as orders


def notes(kind, **where):
    stmt = select(Notification.user_id).where(Notification.kind == kind)
    for name, value in where.items():
        stmt = stmt.where(getattr(Notification, name) == value)
    return sorted(db.session.scalars(stmt))


def back(campaign, users, tier=None):
    tier = tier or campaign.tiers[0]
    for user in users:
        orders.place_order(campaign.id, user, tier.id, 1, f"k-{user.id}")


def test_an_order_placed_is_told_and_mailed_to_its_buyer(ctx, smtp):
    campaign = make_campaign()
    buyer = make_user("buyer")
    back(campaign, [buyer])
    assert notes("order_placed") == [buyer.id]
    sender.send_due()
    assert smtp.wait_for(1)
    [message] = smtp.to("buyer@example.com")
    assert "Your pre-order of “Product" in message["Subject"]


def test_followers_cocreators_and_idea_people_hear_a_campaign_open_once(ctx, smtp):
    fan, cocreator, both = make_user("fan"), make_user("maker"), make_user("both")
    product = make_product(cocreators=[cocreator, both])
    notices.follow(fan, product.id)
    notices.follow(both, product.id)
    notices.follow(both, product.id)  # twice is once
    prefs.set_preferences(cocreator, {"campaign_opens": "never"})
    make_campaign(product=product)
    broadcast.run_due()
    assert notes("campaign_opens") == sorted([fan.id, cocreator.id, both.id])
    sender.send_due()
    assert smtp.wait_for(4)
    opens = [m for m in smtp.messages if "Pre-orders for “Product" in m["Subject"]]
    assert sorted(m["To"] for m in opens) == ["both@example.com", "fan@example.com"]
    # Co-creators who qualify were also given an F-code, and told so (mail on by default).
    codes = [m for m in smtp.messages if "F-code" in m["Subject"]]
    assert sorted(m["To"] for m in codes) == ["both@example.com", "maker@example.com"]
    assert len(smtp.messages) == 4
    notices.unfollow(fan, product.id)
    assert notices.following(fan.id, [product.id]) == set()


def test_a_backer_update_reaches_each_backer_once_even_if_the_worker_dies(ctx, smtp, monkeypatch):
    staff = make_user("boss", role="staff")
    campaign = make_campaign(staff=staff, cap=50, per_buyer=1)
    backers = [make_user(f"backer{i}") for i in range(7)]
    back(campaign, backers)
    broadcast.run_due()  # the campaign's opening, told already
    db.session.execute(Notification.__table__.delete())
    db.session.execute(MailOutbox.__table__.delete())
    db.session.commit()
    update = notices.post_update(campaign.id, staff, "Moulds are ready", "**Great** news")
    [batch_id] = broadcast.open_batches()
    assert broadcast.run_batch(batch_id, size=3) is False  # three told

    # The worker dies in the middle of the next batch: nothing of it stays.
    def die(*args, **kwargs):
        raise RuntimeError("worker killed")
    monkeypatch.setattr(broadcast.outbox, "queue_select", die)
    with pytest.raises(RuntimeError):
        broadcast.run_batch(batch_id, size=3)
    monkeypatch.undo()
    assert len(notes("backer_update")) == 3
    # And one that committed a batch is run again from scratch by a second worker.
    db.session.execute(NoticeBatch.__table__.update().values(cursor=0))
    db.session.commit()
    broadcast.run_due(size=3)
    assert notes("backer_update", ref_key=f"update:{update.id}") == sorted(u.id for u in backers)
    sender.send_due()
    assert smtp.wait_for(7)
    assert sorted(m["To"] for m in smtp.messages) == sorted(
        f"{u.username}@example.com" for u in backers)
    assert all("Moulds are ready" in m["Subject"] for m in smtp.messages)
    assert db.session.get(NoticeBatch, batch_id).done_at is not None


def test_an_update_to_chosen_tiers_reaches_only_their_backers(ctx):
    staff = make_user("boss", role="staff")
    campaign = make_campaign(staff=staff, tiers=[
        {"name": "Standard", "price_cents": 100, "currency": "CNY"},
        {"name": "Deluxe", "price_cents": 200, "currency": "CNY"}])
    plain, deluxe = make_user("plain"), make_user("deluxe")
    back(campaign, [plain])
    back(campaign, [deluxe], tier=campaign.tiers[1])
    notices.post_update(campaign.id, staff, "For deluxe", "Hi", tier_ids=[campaign.tiers[1].id])
    broadcast.run_due()
    assert notes("backer_update") == [deluxe.id]


def test_only_staff_post_updates(app, ctx, client, auth):
    campaign = make_campaign()
    make_user("fan")
    auth.login("fan")
    response = client.post(f"/campaigns/{campaign.id}/updates", data={"title": "x", "body": "y"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(NoticeBatch).where(
        NoticeBatch.kind == "backer_update")) == 0
    assert client.post(f"/api/v1/campaigns/{campaign.id}/updates",
                       json={"title": "x", "body": "y"}).status_code in (401, 403)


def test_backers_only_updates_stay_with_backers_even_through_the_page_cache(app, client, auth):
    with app.app_context():
        staff = make_user("boss", role="staff")
        campaign = make_campaign(staff=staff)
        backer = make_user("backer")
        make_user("visitor2")
        back(campaign, [backer])
        notices.post_update(campaign.id, staff, "Public news", "For all")
        notices.post_update(campaign.id, staff, "Secret sauce", "Backers only text",
                            audience="backers")
        page = f"/products/{campaign.product.slug}"
    for _ in range(2):  # the second visit may be served from the cache
        html = client.get(page).get_data(as_text=True)
        assert "Public news" in html and "Secret sauce" not in html
    auth.login("visitor2")
    for _ in range(2):
        html = client.get(page).get_data(as_text=True)
        assert "Public news" in html and "Secret sauce" not in html
    auth.logout()
    auth.login("backer")
    html = client.get(page).get_data(as_text=True)
    assert "Secret sauce" in html and "Backers only text" in html
    auth.logout()
    html = client.get(page).get_data(as_text=True)
    assert "Secret sauce" not in html and "Public news" in html


def test_the_api_lists_updates_to_whoever_may_read_them(ctx, client):
    staff = make_user("boss", role="staff")
    campaign = make_campaign(staff=staff)
    notices.post_update(campaign.id, staff, "Hidden", "x", audience="backers")
    notices.post_update(campaign.id, staff, "Open", "y")
    items = client.get(f"/api/v1/campaigns/{campaign.id}/updates").get_json()["items"]
    assert [i["title"] for i in items] == ["Open"]


def test_a_products_backer_updates_feed_carries_the_public_ones(app, client):
    with app.app_context():
        staff = make_user("boss", role="staff")
        campaign = make_campaign(staff=staff)
        notices.post_update(campaign.id, staff, "Moulds are ready", "**Great** news")
        notices.post_update(campaign.id, staff, "Backers only", "secret", audience="backers")
        slug = campaign.product.slug
    feed = client.get(f"/feeds/backer-updates/{slug}.atom")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    text = feed.get_data(as_text=True)
    assert "Moulds are ready" in text and "<strong>Great</strong>" in text.replace("&lt;", "<").replace("&gt;", ">")
    assert "Backers only" not in text and "secret" not in text
    assert client.get("/feeds/backer-updates/no-such-product.atom").status_code == 404
    page = client.get(f"/products/{slug}").get_data(as_text=True)
    assert f'href="http://fanforge.test/feeds/backer-updates/{slug}.atom"' in page


def test_a_failed_campaign_tells_its_buyers_what_happens_to_their_money(ctx):
    campaign = make_campaign(goal=5, ends_in_hours=24)
    buyer = make_user("buyer")
    back(campaign, [buyer])
    campaigns.cancel(campaign.id, make_user("boss2", role="staff"))
    broadcast.run_due()
    [note] = db.session.scalars(select(Notification).where(
        Notification.kind == "campaign_result")).all()
    assert note.user_id == buyer.id and note.detail == "cancelled"
