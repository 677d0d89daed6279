"""The store's notification kinds (how each reads, where it leads, its mail default) and
audiences (whom a notice sent in batches reaches), registered with the community at start.

Every text is built where the notice is shown or mailed, in the reader's language, from
the notification's own columns (title, detail): a page of notices costs no query each.
"""

from datetime import datetime

from flask import url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, union

from community.accounts.follows import Follow
from community.ideas.models import Vote
from community.notifications import kinds

from ..campaigns.models import CampaignBuyer
from ..catalog.labels import STAGE_NAMES
from ..catalog.models import CoCreator, ProductIdea
from ..money import money
from ..orders.models import Order
from .models import ProductFollow


def _order_url(event):
    return url_for("orders.show", order_id=event.target_id)


def _product_url(event):
    return url_for("notices.product", product_id=event.target_id)


def _update_url(event):
    return url_for("notices.update", update_id=event.target_id)


def _money(text):
    """"1999 CNY" as money; anything else as it is."""
    cents, _sep, currency = (text or "").partition(" ")
    return money(int(cents), currency) if cents.isdigit() and currency else text


def _amount(event):
    return _money(event.detail)


def _result(event):
    if event.detail == "succeeded":
        return _("“%(title)s” reached its goal: your pre-order stands, and what was held "
                 "is charged as the campaign said.", title=event.title)
    if event.detail == "cancelled":
        return _("The campaign for “%(title)s” was cancelled: your pre-order is cancelled and "
                 "any money taken is refunded.", title=event.title)
    return _("“%(title)s” did not reach its goal: your pre-order is cancelled and any money "
             "taken is refunded (a hold is released).", title=event.title)


def _f_code(event):
    until, _sep, tier = event.detail.partition("|")
    try:
        when = format_datetime(datetime.fromisoformat(until), "short")
    except ValueError:
        return _("You have an F-code for “%(title)s”: %(code)s.", title=event.title,
                 code=event.excerpt)
    return _("You have an F-code for “%(title)s”: it unlocks the early tier “%(tier)s” until "
             "%(until)s.", title=event.title, tier=tier, until=when)


def _opens(event):
    if event.detail == "scheduled":
        return _("The campaign for “%(title)s” is scheduled: pre-orders open soon.",
                 title=event.title)
    return _("Pre-orders for “%(title)s” are open.", title=event.title)


def _stage(event):
    if event.detail in ("in_production", "shipped", "delivered") and event.target_type == "order":
        if event.detail == "shipped":
            return _("Your pre-order of “%(title)s” has shipped: %(tracking)s",
                     title=event.title, tracking=event.excerpt)
        if event.detail == "delivered":
            return _("Your pre-order of “%(title)s” was delivered.", title=event.title)
    return _("“%(title)s” is now: %(stage)s", title=event.title,
             stage=STAGE_NAMES.get(event.detail, event.detail))


def _balance(event):
    if event.detail == "reminder":
        return _("Reminder: the balance of %(amount)s for “%(title)s” is due soon. Pay it from "
                 "your order, or the pre-order lapses.", amount=_money(event.excerpt), title=event.title)
    return _("“%(title)s” reached its goal: the balance of %(amount)s is due. Pay it from your "
             "order.", amount=_money(event.excerpt), title=event.title)


KINDS = (
    ("order_placed", _l("Your pre-orders, when placed"), _order_url, True,
     lambda e: _("Your pre-order of “%(title)s” is placed.", title=e.title)),
    ("payment_received", _l("Payments received for your pre-orders"), _order_url, True,
     lambda e: _("We received %(amount)s for “%(title)s”.", amount=_amount(e), title=e.title)),
    ("payment_failed", _l("Payments that failed"), _order_url, True,
     lambda e: _("Your payment for “%(title)s” did not go through: try again from the order.",
                 title=e.title)),
    ("balance_due", _l("Balances due on your deposit pre-orders (the balance mail always "
                       "comes)"), _order_url, True, _balance),
    ("refund", _l("Refunds"), _order_url, True,
     lambda e: _("%(amount)s for “%(title)s” was refunded.", amount=_amount(e), title=e.title)),
    ("campaign_result", _l("Campaigns you backed succeeding or failing"), _product_url, True,
     _result),
    ("order_stage", _l("Your pre-orders going into production, shipping, arriving"),
     _order_url, True, _stage),
    ("campaign_opens", _l("Campaigns opening for products you follow or helped make"),
     _product_url, True, _opens),
    ("f_code", _l("F-codes given to you"), _product_url, True, _f_code),
    ("backer_update", _l("Updates to backers of campaigns you backed"), _update_url, True,
     lambda e: _("Update on “%(product)s”: %(title)s", product=e.detail, title=e.title)),
)


# ---- audiences: SELECTs with a user_id column ------------------------------

def campaign_backers(campaign_id, tier_ids=None):
    """Who holds units of the campaign (of these tiers), each once."""
    if not tier_ids:
        return select(CampaignBuyer.user_id.label("user_id")).where(
            CampaignBuyer.campaign_id == campaign_id, CampaignBuyer.units > 0)
    return select(Order.buyer_id.label("user_id")).where(
        Order.campaign_id == campaign_id, Order.state != "cancelled",
        Order.tier_id.in_(tier_ids))


def campaign_buyers(campaign_id, reasons=(), fulfilment=None):
    """Buyers of the campaign whose order stands, or was cancelled for one of `reasons`
    (the campaign failed); with `fulfilment`, those whose orders are at that step."""
    where = [Order.campaign_id == campaign_id,
             or_(Order.state != "cancelled", Order.cancel_reason.in_(list(reasons)))]
    if fulfilment:
        where.append(Order.fulfilment_status == fulfilment)
    return select(Order.buyer_id.label("user_id")).where(*where)


def product_watchers(product_id):
    """Everyone a campaign opening concerns: the product's followers and co-creators, and
    the voters and followers of the ideas it grew from (a UNION: each once)."""
    ideas = select(ProductIdea.idea_id).where(ProductIdea.product_id == product_id)
    voters = select(Vote.user_id.label("user_id")).where(Vote.idea_id.in_(ideas))
    idea_followers = select(Follow.user_id.label("user_id")).where(
        Follow.target_type == "idea", Follow.target_id.in_(ideas))
    return union(
        select(ProductFollow.user_id.label("user_id")).where(ProductFollow.product_id == product_id),
        select(CoCreator.user_id.label("user_id")).where(CoCreator.product_id == product_id),
        voters, idea_followers)


def register():
    for name, label, url, immediate, text in KINDS:
        kinds.register(name, label, text, url, immediate)
    kinds.register_audience("campaign_backers", campaign_backers)
    kinds.register_audience("campaign_buyers", campaign_buyers)
    kinds.register_audience("product_watchers", product_watchers)
