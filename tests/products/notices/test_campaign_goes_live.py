"""A scheduled campaign: its watchers hear "scheduled" when it is published and "open"
when its start comes (the worker's job), each once even if the job runs twice."""

from datetime import timedelta

from helpers import make_campaign, make_product, make_user
from sqlalchemy import select

from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.mail import broadcast, sender
from community.notifications.models import Notification
from products.campaigns import service as campaigns
from products.campaigns import tasks as campaign_tasks
from products.notices import service as notices


def opens_notes():
    return db.session.execute(select(Notification.user_id, Notification.detail).where(
        Notification.kind == "campaign_opens").order_by(Notification.id)).all()


def test_a_scheduled_campaign_tells_its_watchers_again_when_it_goes_live(ctx, smtp):
    fan, maker = make_user("fan"), make_user("maker")
    product = make_product(cocreators=[maker])
    notices.follow(fan, product.id)
    campaign = make_campaign(product=product, starts_in_hours=2)
    assert campaign.state == "scheduled"
    broadcast.run_due()
    assert sorted(opens_notes()) == [(fan.id, "scheduled"), (maker.id, "scheduled")]

    assert campaigns.open_due() == []  # not yet
    start = campaign.starts_at + timedelta(seconds=1)
    assert campaigns.open_due(now=start) == [campaign.id]
    assert campaigns.open_due(now=start) == []  # the job again: nothing flips twice
    assert campaign_tasks.open_due() == "0 opened"
    broadcast.run_due()
    broadcast.run_due()
    assert campaigns.get_campaign(campaign.id).state == "live"
    assert sorted(opens_notes()) == sorted([(fan.id, "scheduled"), (maker.id, "scheduled"),
                                            (fan.id, "live"), (maker.id, "live")])
    sender.send_due()
    assert smtp.wait_for(3)
    opened = [m["To"] for m in smtp.messages if "Pre-orders for “" in m["Subject"]]
    assert sorted(opened) == ["fan@example.com", "maker@example.com"]


def test_a_campaign_opening_at_publishing_is_told_once(ctx):
    fan = make_user("fan")
    product = make_product()
    notices.follow(fan, product.id)
    make_campaign(product=product)  # live at once
    campaigns.open_due(now=utcnow() + timedelta(hours=1))
    broadcast.run_due()
    assert opens_notes() == [(fan.id, "live")]


def test_a_scheduled_campaign_whose_end_passed_flips_without_a_notice(ctx):
    fan = make_user("fan")
    product = make_product()
    notices.follow(fan, product.id)
    campaign = make_campaign(product=product, starts_in_hours=1, ends_in_hours=2)
    broadcast.run_due()
    assert campaigns.open_due(now=campaign.ends_at + timedelta(minutes=1)) == []
    broadcast.run_due()
    assert opens_notes() == [(fan.id, "scheduled")]
