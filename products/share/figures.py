"""What a poster shows of its object: the same for every reader, read fresh per request.

A poster is drawn from a Facts tuple and nothing else, so equal facts (with the same
link and language) are the same picture and are drawn once (store.py). Only what a
visitor may see has facts: a hidden idea, or one whose thread a visitor may not read,
is NotFound, whoever asks (a poster is for sharing, and hidden things are not shared).
"""

from typing import NamedTuple

from sqlalchemy import select

from community.ideas import service as ideas
from community.kernel.extensions import db

from ..campaigns.models import Tier
from ..campaigns.service import current_campaign
from ..catalog import catalog


class Facts(NamedTuple):
    """kind is "idea" or "product"; figures are (code word, value) pairs, in the order
    drawn: votes, status, stage, cocreators, reserved (units, goal), backers,
    price (cents, currency), campaign (state)."""

    kind: str
    object_id: int
    title: str
    subtitle: str
    figures: tuple


def idea_facts(idea_id):
    idea = ideas.get_idea(idea_id, None)  # as a visitor sees it: hidden is NotFound
    return Facts("idea", idea.id, idea.thread.title, idea.board.name,
                 (("votes", idea.votes), ("status", idea.status)))


def product_facts(slug):
    product = catalog.get_product(slug)
    campaign = current_campaign(product.id)  # never a draft
    if campaign is None:
        figures = (("stage", product.stage), ("cocreators", product.cocreator_count))
    else:
        price = db.session.execute(
            select(Tier.price_cents, Tier.currency).where(Tier.campaign_id == campaign.id)
            .order_by(Tier.price_cents, Tier.id).limit(1)).first()
        figures = (("campaign", campaign.effective_state()),
                   ("reserved", (campaign.reserved_units, campaign.goal_units)),
                   ("backers", campaign.backer_count))
        if price is not None:
            figures += (("price", tuple(price)),)
    return Facts("product", product.id, product.name, product.summary or "", figures)
