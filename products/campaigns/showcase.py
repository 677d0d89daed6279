"""What a product card shows of the product's campaign: the price it starts from, how far
it is to its goal and how long is left, for many products in two queries.

A product's current campaign is its open one (scheduled or live), else its latest settled
one; a draft is staff's only and never shows. Every figure here is the same for every
reader, so a list of cards can be stored and shared (units and backers are live columns,
"How fresh a page is" in README).
"""

import math
from typing import NamedTuple

from sqlalchemy import select

from community.kernel.database import utcnow
from community.kernel.extensions import db

from .models import Campaign
from .service import OPEN
from .tiers import lowest_price

DAY = 24 * 3600


class CampaignFigures(NamedTuple):
    campaign: Campaign
    state: str  # effective_state: scheduled, live, ended, succeeded, failed, cancelled
    from_price: tuple | None  # (minor units, currency) of the cheapest tier
    progress: int  # percent of the goal reserved, 0 to 100
    days_left: int | None  # whole days until it ends (a part of a day counts), while it runs


def current_campaigns(product_ids):
    """{product_id: its current campaign} in one query (tiers come with them)."""
    if not product_ids:
        return {}
    rows = db.session.scalars(
        select(Campaign).where(Campaign.product_id.in_(list(product_ids)),
                               Campaign.state != "draft")
        .order_by(Campaign.state.in_(OPEN).desc(), Campaign.id.desc())).all()
    current = {}
    for campaign in rows:
        current.setdefault(campaign.product_id, campaign)
    return current


def progress(campaign):
    return min(100, round(100 * campaign.reserved_units / campaign.goal_units))


def figures_for(product_ids, now=None):
    """{product_id: CampaignFigures} for the products that have a campaign to show."""
    now = now or utcnow()
    out = {}
    for product_id, campaign in current_campaigns(product_ids).items():
        state = campaign.effective_state(now)
        days = (math.ceil((campaign.ends_at - now).total_seconds() / DAY)
                if state in OPEN else None)
        out[product_id] = CampaignFigures(campaign, state, lowest_price(campaign.tiers),
                                          progress(campaign), days)
    return out
