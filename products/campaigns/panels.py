"""The campaign widget on community pages: origin ideas and participation threads."""

from sqlalchemy import select

from community.kernel.extensions import db

from ..catalog import catalog
from ..catalog.models import Product
from .service import current_campaign
from .widget import widget_hole

# The panel is the same for every reader (is there a campaign?); the widget in it is a
# hole, drawn for whoever is looking.
TEMPLATE = "products/campaigns/_widget_slot.html"


def on_idea(idea, _viewer):
    product_id = catalog.product_ids_for_ideas([idea.id]).get(idea.id)
    campaign = current_campaign(product_id) if product_id else None
    return (TEMPLATE, {"widget": widget_hole(campaign, "idea", idea.id)}) if campaign else None


def on_thread(thread, _viewer):
    if thread.kind != "product":
        return None
    product_id = db.session.scalar(select(Product.id).where(Product.thread_id == thread.id))
    campaign = current_campaign(product_id) if product_id else None
    return ((TEMPLATE, {"widget": widget_hole(campaign, "thread", thread.id)})
            if campaign else None)
