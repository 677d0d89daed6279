"""The balance of a deposit pre-order is due: besides the mail, a notification in the
buyer's language when the campaign succeeds, and one for the reminder, each once."""

from datetime import timedelta

from helpers import AuthActions, make_user
from paying import charging_campaign, end_campaign, order, pay_directly, place
from sqlalchemy import select

from community.kernel.database import transaction
from community.kernel.extensions import db
from community.notifications.models import Notification
from products.payments import mail as payment_mail


def balance_notices(user_id):
    return db.session.execute(
        select(Notification.detail, Notification.target_id).where(
            Notification.kind == "balance_due", Notification.user_id == user_id)
        .order_by(Notification.id)).all()


def test_a_deposit_buyer_is_notified_of_the_balance_and_its_reminder_once_each(app):
    with app.app_context():
        campaign = charging_campaign("deposit", goal=1, balance_days=7)
        buyer = make_user("remindme")
        other = make_user("fullpayer")  # owes nothing: hears nothing of a balance
        placed = place(campaign, buyer)
        pay_directly(placed)
        place(campaign, other)
        end_campaign(campaign.id)
        assert balance_notices(buyer.id) == [("open", placed.id)]
        with transaction():  # the settling step again (a job run twice): nobody hears twice
            payment_mail.queue_opened(campaign.id)
        due_by = order(placed.id).balance_due_by
        payment_mail.queue_reminders()  # a week away: not yet
        assert balance_notices(buyer.id) == [("open", placed.id)]
        payment_mail.queue_reminders(now=due_by - timedelta(days=1))
        payment_mail.queue_reminders(now=due_by - timedelta(hours=1))  # once
        assert balance_notices(buyer.id) == [("open", placed.id), ("reminder", placed.id)]
        assert balance_notices(other.id) == []
        buyer.locale = "zh"
        db.session.commit()
    client = app.test_client()
    AuthActions(client).login("remindme")
    html = client.get("/notifications").get_data(as_text=True)
    assert "已达成目标：请支付尾款" in html and "提醒：" in html and "159.20" in html
    assert f'href="/preorders/{placed.id}"' in html
