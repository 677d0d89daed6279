"""Tell a deposit buyer about the balance: when the campaign succeeds, and again
PAYMENTS_BALANCE_REMINDER_DAYS before it is due. Each is a mail (one per order: the
outbox's unique kind, user, ref; a balance paid or an order cancelled meanwhile sends
nothing) and an in-app notification of kind "balance_due" (one per order and step: the
notifications' unique kind, ref_key, user), read in the buyer's language
(products/notices/kinds.py). The mail is the notification's mail, so the kind is never
mailed again as a notification."""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import String, cast, literal, select

from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.mail import outbox
from community.mail.render import Letter, locale_of, register_kind
from community.notifications.fanout import fan_out
from community.web.site import absolute_url

from ..campaigns.models import Campaign
from ..catalog.models import Product
from ..orders.dues import due_now
from ..orders.models import Order

OPEN, REMINDER = "balance_open", "balance_reminder"
NOTICE = "balance_due"  # the notification kind (products/notices/kinds.py)


def _owing(*where):
    return (Order.state == "reserved", Order.payment_status == "deposit_paid",
            Order.balance_due_by.is_not(None), *where)


def _balances(*where):
    return select(Order.buyer_id.label("user_id"), Order.id.label("ref_id")).where(
        *_owing(*where))


def _notify(step, *where):
    """The in-app notice of each balance `step` ("open", "reminder"), once per order."""
    amount = Order.unit_price_cents * Order.quantity - Order.paid_cents + Order.refunded_cents
    rows = (select(Order.buyer_id.label("user_id"), Order.id.label("target_id"),
                   (literal(f"balance:{step}:") + cast(Order.id, String)).label("ref_key"),
                   Product.name.label("title"),
                   (cast(amount, String) + literal(" ") + Order.currency).label("excerpt"))
            .join(Campaign, Campaign.id == Order.campaign_id)
            .join(Product, Product.id == Campaign.product_id)
            .where(*_owing(*where)))
    fan_out(NOTICE, rows, once=True, target_type="order", detail=step)


def queue_opened(campaign_id):
    """In the settling transaction: every deposit buyer hears the balance is due."""
    outbox.queue_select(OPEN, _balances(Order.campaign_id == campaign_id))
    _notify("open", Order.campaign_id == campaign_id)


def queue_reminders(now=None):
    """Balances due within the reminder window that have not had their reminder."""
    now = now or utcnow()
    soon = now + timedelta(days=current_app.config["PAYMENTS_BALANCE_REMINDER_DAYS"])
    window = (Order.balance_due_by > now, Order.balance_due_by <= soon)
    with transaction():
        _notify("reminder", *window)
        return outbox.queue_select(REMINDER, _balances(*window))


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
