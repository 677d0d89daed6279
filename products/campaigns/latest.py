"""Campaigns opening, as lines of the community's Latest feed (community/latest/): a
published campaign shows from the moment it starts taking pre-orders."""

from flask import url_for
from sqlalchemy import bindparam, select

from community.accounts.models import User
from community.accounts.rows import AUTHOR_COLUMNS, Author, moment
from community.kernel.database import utcnow
from community.latest.feed import Item, newest

from ..catalog.models import Product
from .models import Campaign

# Published states: a campaign that has opened, whatever came of it since.
OPENED = ("scheduled", "live", "succeeded", "failed")


_OPENING = (select(Campaign.id, Product.name, Campaign.starts_at, *AUTHOR_COLUMNS)
            .join(Product, Product.id == Campaign.product_id)
            .join(User, User.id == Campaign.created_by_id)
            .where(Campaign.state.in_(OPENED), Campaign.published_at.is_not(None),
                   Campaign.starts_at <= bindparam("now")))


def campaigns_opening(limit, before):
    # A campaign appears when its start passes: the page follows the clock.
    rows = newest("campaign", _OPENING, Campaign.starts_at, Campaign.id, limit, before,
                  now=utcnow())
    return [Item("campaign", moment(starts_at), name,
                 url_for("campaigns.show", campaign_id=campaign_id), Author(*author))
            for campaign_id, name, starts_at, *author in rows]
