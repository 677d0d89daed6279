"""The store's part of a profile: products co-created and backers brought (a panel)."""

from ..catalog.participation import products_of
from .referrals import backers_brought

TEMPLATE = "products/orders/_profile_panel.html"


def on_profile(user, viewer):
    return TEMPLATE, {"user": user, "products": products_of(user.id, limit=20),
                      "backers": backers_brought(user.id)}
