"""The campaign widget: what a buyer sees wherever a product is talked about."""

from typing import NamedTuple

from flask import g, request
from sqlalchemy import bindparam, select

from community.kernel.compiled import rows_of
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.web import pagecache
from community.web.fragments import render_fragment

from ..catalog import cocreation, variants
from . import service, showcase, tiers
from .models import Campaign, CampaignBuyer, FCode

TEMPLATE = "products/campaigns/_widget.html"


class BuyerFacts(NamedTuple):
    """All the widget shows of its reader."""
    signed_in: bool = False
    cocreator: bool = False  # a co-creator who holds the rights now (cocreation.py)
    held: int = 0
    f_code: str | None = None  # their first unused F-code for the campaign


_CAMPAIGN, _USER = bindparam("campaign_id"), bindparam("user_id")
# One statement for the three, built once: every signed-in product page asks.
_FACTS = select(
    cocreation.standing(
        select(Campaign.product_id).where(Campaign.id == _CAMPAIGN).scalar_subquery(), _USER),
    select(CampaignBuyer.units).where(CampaignBuyer.campaign_id == _CAMPAIGN,
                                      CampaignBuyer.user_id == _USER).scalar_subquery(),
    select(FCode.code).where(FCode.campaign_id == _CAMPAIGN, FCode.user_id == _USER,
                             FCode.used_at.is_(None)).order_by(FCode.id).limit(1)
    .scalar_subquery(),
)


def buyer_facts(campaign_id, viewer):
    if viewer is None or not viewer.is_authenticated:
        return BuyerFacts()
    cocreator, held, f_code = rows_of(_FACTS, campaign_id=campaign_id, user_id=viewer.id,
                                      **cocreation.params())[0]
    return BuyerFacts(True, bool(cocreator), held or 0, f_code)


def widget_context(campaign, source_kind, source_id, facts):
    """Everything _widget.html needs, in a fixed number of queries: the campaign as every
    reader sees it, and of its reader nothing but `facts` (BuyerFacts)."""
    campaign = service.refresh(campaign)
    now = utcnow()
    texts, on_sale = variants.for_buyers(campaign.product_id)
    tier_views = tiers.tier_views(campaign.tiers, facts, now)
    return {
        "text_options": texts,
        "variants": on_sale,  # units left per variant: live figures, as the tiers'
        "currency": campaign.tiers[0].currency if campaign.tiers else None,
        "campaign": campaign,
        "state": campaign.effective_state(now),
        "early_tiers": [view.tier for view in tier_views if view.early],
        "tier_views": tier_views,  # units left per tier: live figures too
        "preselected": tiers.first_buyable(tier_views),
        "cocreator_level": cocreation.min_level(),
        "signed_in": facts.signed_in,
        "is_cocreator": facts.cocreator,
        "f_code": facts.f_code,
        "held": facts.held,
        "can_order_more": max(0, campaign.per_buyer_limit - facts.held),
        "source_kind": source_kind,
        "source_id": source_id,
        "progress": showcase.progress(campaign),
    }


def widget_hole(campaign, source_kind, source_id):
    """The widget as a hole of a page shared by its readers (community/web/pagecache/holes.py):
    what the reader holds, may still order and shares is theirs."""
    _shown(campaign)
    return pagecache.per_user("campaign_widget", f"{campaign.id}:{source_kind}:{source_id or ''}")


def _shown(campaign):
    """Keep the page's campaign for its hole, drawn after the view: the session holds
    loaded rows weakly, so once the view returned it would load the campaign and its
    tiers again."""
    g.setdefault("widget_campaigns", {})[campaign.id] = campaign


def _campaign(campaign_id):
    found = g.get("widget_campaigns", {}).get(campaign_id)
    return found if found is not None else db.session.get(Campaign, campaign_id)


def widget_holes(viewer, args):
    """Each widget drawn once for every reader with the same facts (pagecache.remember):
    a reader's hole costs one statement; the share link's referral code is a hole of its
    own (filled in the next pass)."""
    out = {}
    for arg in args:
        campaign_id, source_kind, source_id = arg.split(":")

        def draw(facts, campaign_id=int(campaign_id), source_kind=source_kind,
                 source_id=int(source_id) if source_id else None):
            campaign = _campaign(campaign_id)
            if campaign is None:
                return ""
            return render_fragment(TEMPLATE, **widget_context(
                campaign, source_kind, source_id, facts))

        # The form sends the reader back to this page: the path is drawn from too.
        out[arg] = pagecache.remember("campaign_widget", (arg, request.full_path),
                                      buyer_facts(int(campaign_id), viewer), draw)
    return out
