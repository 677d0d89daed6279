"""What the desk lists: a page of products, newest first, each with its campaigns."""

from sqlalchemy import select

from community.kernel.extensions import db

from ..campaigns.models import Campaign
from ..catalog import catalog


def products_with_campaigns(page=1, per_page=50):
    """(a Page of products, {product_id: [campaigns, newest first]}), in two queries."""
    products = catalog.list_products(page=page, per_page=per_page)
    ids = [product.id for product in products.items]
    campaigns = {product_id: [] for product_id in ids}
    if ids:
        for campaign in db.session.scalars(
                select(Campaign).where(Campaign.product_id.in_(ids)).order_by(Campaign.id.desc())):
            campaigns[campaign.product_id].append(campaign)
    return products, campaigns
