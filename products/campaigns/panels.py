"""The campaign widget on community pages: origin ideas and participation threads."""

from sqlalchemy import select

from community.extensions import db

from ..catalog.models import Product, ProductIdea
from .service import current_campaign
from .widget import widget_context

TEMPLATE = "products/campaigns/_widget.html"


def on_idea(idea, viewer):
    product_id = db.session.scalar(
        select(ProductIdea.product_id).where(ProductIdea.idea_id == idea.id).limit(1))
    campaign = current_campaign(product_id) if product_id else None
    return (TEMPLATE, widget_context(campaign, "idea", idea.id, viewer)) if campaign else None


def on_thread(thread, viewer):
    if thread.kind != "product":
        return None
    product_id = db.session.scalar(select(Product.id).where(Product.thread_id == thread.id))
    campaign = current_campaign(product_id) if product_id else None
    return (TEMPLATE, widget_context(campaign, "thread", thread.id, viewer)) if campaign else None
