"""Mail a deposit buyer about the balance: when the campaign succeeds, and again
PAYMENTS_BALANCE_REMINDER_DAYS before it is due. One of each per order (the outbox's
unique kind, user, ref); a balance paid or an order cancelled meanwhile sends nothing."""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.mail import outbox
from community.mail.render import Letter, locale_of, register_kind
from community.web.site import absolute_url

from ..orders.dues import due_now
from ..orders.models import Order

OPEN, REMINDER = "balance_open", "balance_reminder"


def _balances(*where):
    return select(Order.buyer_id.label("user_id"), Order.id.label("ref_id")).where(
        Order.state == "reserved", Order.payment_status == "deposit_paid",
        Order.balance_due_by.is_not(None), *where)


def queue_opened(campaign_id):
    """In the settling transaction: every deposit buyer hears the balance is due."""
    outbox.queue_select(OPEN, _balances(Order.campaign_id == campaign_id))


def queue_reminders(now=None):
    """Balances due within the reminder window that have not had their reminder."""
    now = now or utcnow()
    soon = now + timedelta(days=current_app.config["PAYMENTS_BALANCE_REMINDER_DAYS"])
    with transaction():
        return outbox.queue_select(REMINDER, _balances(Order.balance_due_by > now,
                                                       Order.balance_due_by <= soon))


def build(row):
    order = db.session.get(Order, row.ref_id)
    due = due_now(order) if order is not None else None
    buyer = order.buyer if order is not None else None
    if due is None or due[0] != "balance" or buyer.is_banned or buyer.email_verified_at is None:
        return None
    product = order.campaign.product.name
    return Letter(
        to=buyer.email, template="products/mail/balance", locale=locale_of(buyer),
        subject=lambda: _("Pay the balance for %(product)s", product=product),
        context={"order": order, "amount": due[1], "reminder": row.kind == REMINDER,
                 "link": absolute_url("orders.show", order_id=order.id)})


def register():
    register_kind(OPEN, build)
    register_kind(REMINDER, build)
