"""The campaign widget: what a buyer sees wherever a product is talked about."""

from flask_login import current_user

from community.database import utcnow
from community.extensions import db
from community.pageholes import per_user
from community.templating import render_fragment

from ..orders.referrals import code_for
from . import service
from .models import Campaign

TEMPLATE = "products/campaigns/_widget.html"


def widget_context(campaign, source_kind, source_id, viewer=None):
    """Everything _widget.html needs, in a fixed number of queries."""
    viewer = viewer if viewer is not None else current_user
    campaign = service.refresh(campaign)
    signed_in = viewer is not None and viewer.is_authenticated
    now = utcnow()
    cocreator = signed_in and service.is_cocreator(campaign.product_id, viewer.id)
    held = service.buyer_units(campaign.id, viewer) if signed_in else 0
    return {
        "campaign": campaign,
        "state": campaign.effective_state(now),
        "early_tiers": [t for t in campaign.tiers if t.early_until and now < t.early_until],
        "is_cocreator": cocreator,
        "f_codes": [c for c in service.f_codes_of(viewer, campaign.id) if c.used_at is None],
        "held": held,
        "can_order_more": max(0, campaign.per_buyer_limit - held),
        "source_kind": source_kind,
        "source_id": source_id,
        "ref_code": code_for(viewer.id) if signed_in else None,
        "seconds_left": max(0, int((campaign.ends_at - now).total_seconds())),
        "progress": min(100, round(100 * campaign.reserved_units / campaign.goal_units)),
    }


def widget_hole(campaign, source_kind, source_id):
    """The widget as a hole of a page shared by its readers (community/pageholes.py):
    what the reader holds, may still order and shares is theirs."""
    return per_user("campaign_widget", f"{campaign.id}:{source_kind}:{source_id or ''}")


def widget_holes(viewer, args):
    out = {}
    for arg in args:
        campaign_id, source_kind, source_id = arg.split(":")
        campaign = db.session.get(Campaign, int(campaign_id))
        if campaign is not None:
            out[arg] = render_fragment(TEMPLATE, **widget_context(
                campaign, source_kind, int(source_id) if source_id else None, viewer))
    return out
