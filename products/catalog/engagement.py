"""What the store adds to engagement: points for joining a product, and two medals.

The community's engagement package cannot import the store; the store registers
its rules there at start-up and calls it when its own events happen.
"""

from sqlalchemy import distinct, func, select

from community.engagement import ledger, medals
from community.engagement.rules import Rule, _window, register
from community.kernel.database import utcnow
from community.kernel.extensions import db

from .. import signals as store_signals
from ..campaigns.models import Campaign
from ..orders.models import Order
from .models import CoCreator, Product
from .signals import product_created, product_joined


def joins(user_id=None, start=None, end=None):
    stmt = (select(CoCreator.user_id, CoCreator.product_id, CoCreator.created_at, Product.board_id)
            .join(Product, Product.id == CoCreator.product_id)
            .where(CoCreator.source == "participant"))
    return _window(stmt, CoCreator.user_id, CoCreator.created_at, user_id, start, end)


def cocreators():
    return select(CoCreator.user_id).distinct()


def top_referrers():
    """Per settled-successfully campaign, the referrer who brought the most backers."""
    brought = (select(Order.campaign_id, Order.referrer_id,
                      func.count(distinct(Order.buyer_id)).label("backers"))
               .join(Campaign, Campaign.id == Order.campaign_id)
               .where(Campaign.state == "succeeded", Order.state == "confirmed",
                      Order.referrer_id.is_not(None))
               .group_by(Order.campaign_id, Order.referrer_id).subquery())
    best = (select(brought.c.campaign_id, func.max(brought.c.backers).label("most"))
            .group_by(brought.c.campaign_id).subquery())
    return (select(brought.c.referrer_id)
            .join(best, (best.c.campaign_id == brought.c.campaign_id)
                  & (best.c.most == brought.c.backers)).distinct())


def on_joined(product, user, **_kw):
    ledger.award(user.id, "join_product", product.id, product.board_id, utcnow())
    medals.check(user.id, "cocreator")


def on_created(product, ideas, **_kw):
    for author_id in {idea.author_id for idea in ideas}:
        medals.check(author_id, "cocreator")


def on_settled(campaign, outcome, **_kw):
    if outcome != "succeeded":
        return
    referrers = db.session.scalars(select(Order.referrer_id).where(
        Order.campaign_id == campaign.id, Order.referrer_id.is_not(None)).distinct()).all()
    for user_id in referrers:
        medals.check(user_id, "top_referrer")


def init_app(app):
    register(Rule("join_product", 5, 20, joins, "product"))
    medals.register_rule("cocreator", cocreators)
    medals.register_rule("top_referrer", top_referrers)
    product_created.connect(on_created, weak=False)
    product_joined.connect(on_joined, weak=False)
    store_signals.campaign_settled.connect(on_settled, weak=False)
