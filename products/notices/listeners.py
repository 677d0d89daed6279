"""The store's events told to the people they concern, inside each event's transaction.

One person (a buyer about their order): a notification and, if they want it at once, a
mail, right away (notify_and_mail). Many people (a campaign's backers, a product's
watchers): one NoticeBatch row, which the worker expands in batches (mail/broadcast.py).
"""

from sqlalchemy import bindparam, inspect, or_, select

from community.accounts.models import User
from community.kernel import signals as community_signals
from community.kernel.compiled import rows_of
from community.kernel.extensions import db
from community.mail import broadcast
from community.mail.notify import fan_out_and_mail, notify_and_mail
from community.notifications.fanout import excerpt_of_html, mentioned_names, users_named

from .. import signals
from ..campaigns.models import Campaign, CampaignBuyer
from ..catalog.models import Product
from .models import BACKERS_THREAD_KIND, BackerUpdate

PAYMENT_KINDS = {"captured": "payment_received", "failed": "payment_failed",
                 "refunded": "refund"}


def connect():
    signals.order_placed.connect(on_order_placed)
    signals.payment_recorded.connect(on_payment_recorded)
    signals.order_shipped.connect(on_order_shipped)
    signals.order_delivered.connect(on_order_delivered)
    signals.f_code_issued.connect(on_f_code_issued)
    signals.campaign_published.connect(on_campaign_published)
    signals.campaign_went_live.connect(on_campaign_went_live)
    signals.campaign_settled.connect(on_campaign_settled)
    signals.campaign_cancelled.connect(on_campaign_cancelled)
    signals.production_started.connect(on_production_started)
    community_signals.post_created.connect(on_backers_thread_post)


# The product's name alone: loading the order's campaign would join product, board and tiers.
_PRODUCT_NAME = select(Product.name).join(Campaign, Campaign.product_id == Product.id).where(
    Campaign.id == bindparam("campaign_id"))


def _about_order(order, **values):
    return {"target_type": "order", "target_id": order.id, "title": _product_name(order),
            **values}


def _product_name(order):
    """The name of the order's product: as the placing loaded it with the order's campaign
    (a checkout), else read alone."""
    # What is loaded is in the object's dict (InstanceState.attrs would build an
    # AttributeState for each of its forty-odd attributes to read one).
    loaded = inspect(order, raiseerr=False)
    campaign = loaded.dict.get("campaign") if loaded is not None else None
    product = inspect(campaign).dict.get("product") if isinstance(campaign, Campaign) else None
    if isinstance(product, Product):
        return product.name
    [(name,)] = rows_of(_PRODUCT_NAME, campaign_id=order.campaign_id)
    return name


def on_order_placed(order, **_):
    notify_and_mail("order_placed", order.buyer_id, **_about_order(order))


def on_payment_recorded(order, kind, amount_cents, currency, **_):
    if kind in PAYMENT_KINDS:
        notify_and_mail(PAYMENT_KINDS[kind], order.buyer_id,
                         **_about_order(order, detail=f"{amount_cents} {currency}"))


def on_order_shipped(order, carrier, tracking_number, **_):
    notify_and_mail("order_stage", order.buyer_id, **_about_order(
        order, detail="shipped", excerpt=f"{carrier} {tracking_number}".strip()))


def on_order_delivered(order, **_):
    notify_and_mail("order_stage", order.buyer_id,
                     **_about_order(order, detail="delivered"))


def on_f_code_issued(f_code, **_):
    campaign = db.session.get(Campaign, f_code.campaign_id)
    early = [t for t in campaign.tiers if t.early_until is not None]
    tier = min(early, key=lambda t: t.early_until) if early else None
    detail = f"{tier.early_until.isoformat()}|{tier.name}" if tier else ""
    notify_and_mail("f_code", f_code.user_id, target_type="product",
                     target_id=campaign.product_id, title=campaign.product.name,
                     detail=detail, excerpt=f_code.code)


def _product(campaign):
    return db.session.get(Product, campaign.product_id)


def _opens(campaign, ref_key, detail):
    broadcast.start("campaign_opens", ref_key, "product_watchers",
                    {"product_id": campaign.product_id}, target_type="product",
                    target_id=campaign.product_id, title=_product(campaign).name,
                    detail=detail)


def on_campaign_published(campaign, **_):
    _opens(campaign, f"campaign:{campaign.id}", campaign.state)


def on_campaign_went_live(campaign, **_):
    """The second notice of a scheduled campaign (the first said it was scheduled): a
    ref_key of its own, so each watcher hears it once beside the first."""
    _opens(campaign, f"campaign:{campaign.id}:live", "live")


def _result(campaign, outcome, reasons):
    broadcast.start("campaign_result", f"campaign:{campaign.id}", "campaign_buyers",
                    {"campaign_id": campaign.id, "reasons": reasons}, target_type="product",
                    target_id=campaign.product_id, title=_product(campaign).name,
                    detail=outcome)


def on_campaign_settled(campaign, outcome, **_):
    _result(campaign, outcome, ["campaign_failed"] if outcome == "failed" else [])


def on_campaign_cancelled(campaign, **_):
    _result(campaign, "cancelled", ["campaign_cancelled"])


def on_production_started(campaign_id, **_):
    campaign = db.session.get(Campaign, campaign_id)
    broadcast.start("order_stage", f"production:{campaign_id}", "campaign_buyers",
                    {"campaign_id": campaign_id, "fulfilment": "in_production"},
                    target_type="product", target_id=campaign.product_id,
                    title=_product(campaign).name, detail="in_production")


def on_backers_thread_post(post, thread, **_):
    """A reply in a backers-only update's thread: the community tells nobody of it (its
    readers are not its to decide), so the update's author hears of it here, and only
    the @mentioned who may read the thread (its campaign's backers, staff)."""
    if thread.kind != BACKERS_THREAD_KIND or post.position == 0:
        return
    about = {"actor_id": post.author_id, "target_type": "post", "target_id": post.id,
             "thread_id": thread.id, "post_id": post.id, "title": thread.title,
             "excerpt": excerpt_of_html(post.body_html)}
    replied_to = thread.author_id if thread.author_id != post.author_id else None
    if replied_to is not None:
        notify_and_mail("reply", replied_to, **about)
    names = mentioned_names(post.body)
    if names:
        campaign = select(BackerUpdate.campaign_id).where(BackerUpdate.thread_id == thread.id)
        backers = select(CampaignBuyer.user_id).where(CampaignBuyer.campaign_id.in_(campaign),
                                                      CampaignBuyer.units > 0)
        readers = users_named(names).where(or_(User.role.in_(("staff", "admin")),
                                               User.id.in_(backers)))
        fan_out_and_mail("mention", readers, exclude=(post.author_id, replied_to), **about)
