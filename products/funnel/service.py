"""The engagement-to-sales funnel of a product, for staff.

Every figure is one aggregate query over an indexed slice (the product's
origin ideas, its campaigns' orders), so the page costs the same for a
product with ten backers or ten thousand.
"""

from datetime import date, timedelta

from sqlalchemy import bindparam, distinct, func, select

from community.accounts.models import User
from community.accounts.rows import AUTHOR_COLUMNS, Author
from community.ideas.models import Idea, Vote
from community.kernel.extensions import db
from community.kernel.reads import rows_among, rows_of

from ..campaigns.models import Campaign
from ..catalog.models import CoCreator, Poll, ProductIdea
from ..orders.models import Order

CHART_DAYS = 60


def _live_orders(product_id):
    """The product's orders not cancelled. Its campaigns are read first: a stored product
    page then depends on their orders alone, not on every order of the store
    (community/kernel/dependencies/ narrows a read by an IN of values, not of a query)."""
    campaigns = db.session.scalars(select(Campaign.id).where(Campaign.product_id == product_id))
    return (Order.campaign_id.in_(list(campaigns)), Order.state != "cancelled")


def funnel(product):
    origin = select(ProductIdea.idea_id).where(ProductIdea.product_id == product.id)
    live = _live_orders(product.id)
    backers, units, referred = db.session.execute(
        select(func.count(distinct(Order.buyer_id)), func.coalesce(func.sum(Order.quantity), 0),
               func.coalesce(func.sum(Order.quantity).filter(Order.referrer_id.is_not(None)), 0))
        .where(*live)).one()
    return {
        "views": product.view_count,
        "idea_votes": db.session.scalar(
            select(func.coalesce(func.sum(Idea.votes), 0)).where(Idea.id.in_(origin))),
        "participants": db.session.scalar(select(func.count()).where(
            CoCreator.product_id == product.id, CoCreator.source == "participant")),
        "poll_votes": db.session.scalar(
            select(func.coalesce(func.sum(Poll.vote_count), 0)).where(Poll.product_id == product.id)),
        "backers": backers,
        "units": units,
        "referred_units": referred,
        "referral_share": round(100 * referred / units) if units else 0,
        "by_source": dict(db.session.execute(
            select(Order.source_kind, func.sum(Order.quantity)).where(*live)
            .group_by(Order.source_kind)).all()),
    }


# top_sharers' statements, built once and run on the driver: every product page asks.
_CAMPAIGNS = select(Campaign.id).where(Campaign.product_id == bindparam("product_id"))
_SHARERS = (
    select(Order.referrer_id, func.sum(Order.quantity), func.count(distinct(Order.buyer_id)))
    .where(Order.campaign_id.in_(bindparam("ids", expanding=True)), Order.state != "cancelled",
           Order.referrer_id.is_not(None))
    .group_by(Order.referrer_id).order_by(func.sum(Order.quantity).desc())
    .limit(bindparam("limit")))
_NAMES = select(*AUTHOR_COLUMNS).where(User.id.in_(bindparam("ids", expanding=True)))


def top_sharers(product_id, limit=5):
    """Fans whose shares brought the most units: [(user, units, backers)], each user an
    accounts Author. The campaigns are read first, as in _live_orders."""
    campaigns = [row[0] for row in rows_of(_CAMPAIGNS, product_id=product_id)]
    rows = rows_among(_SHARERS, campaigns, limit=limit) if campaigns else []
    if not rows:
        return []
    users = {row[0]: Author(*row) for row in rows_among(_NAMES, [r[0] for r in rows])}
    return [(users[r[0]], r[1], r[2]) for r in rows]


def daily(product, today: date, days=CHART_DAYS):
    """Votes on the origin ideas and units pre-ordered, per UTC day, for the last `days` days."""
    start = today - timedelta(days=days - 1)
    origin = select(ProductIdea.idea_id).where(ProductIdea.product_id == product.id)
    vote_day = func.date(Vote.created_at)
    votes = dict(db.session.execute(
        select(vote_day, func.count()).where(Vote.idea_id.in_(origin), Vote.created_at >= start)
        .group_by(vote_day)).all())
    order_day = func.date(Order.created_at)
    units = dict(db.session.execute(
        select(order_day, func.sum(Order.quantity))
        .where(*_live_orders(product.id), Order.created_at >= start).group_by(order_day)).all())
    series = []
    for n in range(days):
        day = start + timedelta(days=n)
        series.append((day, _get(votes, day), _get(units, day)))
    return series


def _get(by_day, day):
    # SQLite's date() gives text, PostgreSQL's a date.
    return int(by_day.get(day, by_day.get(day.isoformat(), 0)) or 0)
