"""The store's share cards (product, campaign) and its side of social proof (a product's
backers), registered with the community when the app starts: community/ shows store data
in a conversation or a circle thread without ever importing products/.

Loaders take many ids at once and cost a fixed number of queries whatever their count; a
draft campaign is staff's only, so a fan can neither share nor see it.
"""

from flask import url_for
from flask_babel import format_timedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community import cards
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.viewer import social

from .campaigns.models import Campaign, CampaignBuyer, FCode
from .campaigns.showcase import current_campaigns, progress
from .campaigns.tiers import first_buyable, tier_views
from .campaigns.widget import BuyerFacts
from .catalog import cocreation
from .catalog.models import Product


def _signed_in(viewer):
    return viewer is not None and viewer.is_authenticated


def _campaign_contexts(campaigns, viewer):
    """{campaign_id: context} in four queries at most, for any number of campaigns."""
    if not campaigns:
        return {}
    ids = [c.id for c in campaigns]
    held, cocreating, codes = {}, set(), {}
    if _signed_in(viewer):
        held = dict(db.session.execute(select(CampaignBuyer.campaign_id, CampaignBuyer.units)
                                       .where(CampaignBuyer.user_id == viewer.id,
                                              CampaignBuyer.campaign_id.in_(ids))).all())
        cocreating = cocreation.qualifying_products(viewer, [c.product_id for c in campaigns])
        for code in db.session.scalars(select(FCode).where(
                FCode.user_id == viewer.id, FCode.campaign_id.in_(ids), FCode.used_at.is_(None))):
            codes.setdefault(code.campaign_id, code.code)
    now = utcnow()
    out = {}
    for c in campaigns:
        state = c.effective_state(now)
        left = max(0, int((c.ends_at - now).total_seconds()))
        units = held.get(c.id, 0)
        facts = BuyerFacts(_signed_in(viewer), c.product_id in cocreating, units, codes.get(c.id))
        views = tier_views(c.tiers, facts, now)
        out[c.id] = {
            "id": c.id, "campaign": c, "product": c.product, "state": state,
            "title": c.product.name,
            "progress": progress(c),
            "seconds_left": left, "time_left": format_timedelta(left, threshold=1.1)
            if state in ("live", "scheduled") else None,
            "held": units, "can_order_more": max(0, c.per_buyer_limit - units),
            "early_tiers": [view.tier for view in views if view.early],
            "tier_views": views, "preselected": first_buyable(views),
            "cocreator_level": cocreation.min_level(),
            "is_cocreator": facts.cocreator, "f_code": facts.f_code,
            "figures": {"state": state, "reserved_units": c.reserved_units,
                        "goal_units": c.goal_units, "units_left": c.units_left,
                        "backers": c.backer_count, "seconds_left": left},
        }
    return out


def _visible(stmt, viewer):
    if not (_signed_in(viewer) and viewer.is_staff):
        stmt = stmt.where(Campaign.state != "draft")
    return stmt


def load_campaigns(ids, viewer):
    campaigns = db.session.scalars(_visible(select(Campaign).where(Campaign.id.in_(ids)),
                                            viewer)).all()
    return _campaign_contexts(campaigns, viewer)


def load_products(ids, viewer):
    """Products with their current campaign (the open one, else the latest settled)."""
    products = db.session.scalars(select(Product).where(Product.id.in_(ids))).all()
    if not products:
        return {}
    current = current_campaigns([p.id for p in products])
    contexts = _campaign_contexts(list(current.values()), viewer)
    out = {}
    for p in products:
        campaign = current.get(p.id)
        context = contexts.get(campaign.id) if campaign else None
        out[p.id] = {"id": p.id, "product": p, "title": p.name, "campaign": context,
                     "figures": dict(context["figures"] if context else {}, stage=p.stage,
                                     campaign_id=campaign.id if campaign else None)}
    return out


def _product_url(card):
    return url_for("catalog.show", slug=card["product"].slug)


def backers(product_id):
    """Social proof: everyone holding units in one of the product's campaigns."""
    return select(CampaignBuyer.user_id).join(Campaign, Campaign.id == CampaignBuyer.campaign_id) \
        .where(Campaign.product_id == product_id, CampaignBuyer.units > 0)


def init_app(app):
    cards.register_kind("product", _l("Product"), load_products, _product_url,
                        "products/cards/_product.html")
    cards.register_kind("campaign", _l("Pre-order campaign"), load_campaigns, _product_url,
                        "products/cards/_campaign.html")
    social.register("product", backers, "backed")

