"""The store's panels on community pages: a profile's products co-created and backers
brought, and an idea's share link carrying the reader's referral code."""

from ..catalog.participation import products_of
from .referrals import backers_brought, code_for

TEMPLATE = "products/orders/_profile_panel.html"


def on_profile(user, viewer):
    return TEMPLATE, {"user": user, "products": products_of(user.id, limit=20),
                      "backers": backers_brought(user.id)}


def on_idea(idea, viewer):
    """The share link, drawn into the page every signed-in reader shares: the referral
    code in it is a hole (ref_code_holes)."""
    if viewer is None or not viewer.is_authenticated:
        return None
    return "products/orders/_share_idea.html", {"idea": idea}


def ref_code_holes(viewer, _args):
    """The reader's own referral code, for share links (community/web/pagecache/holes.py)."""
    if viewer is None or not viewer.is_authenticated:
        return {}
    return {"": code_for(viewer.id)}
