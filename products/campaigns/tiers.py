"""Which tiers a reader may buy, and why not the others: the one rule the pre-order forms
(the campaign widget, a campaign card in a chat) show before the fan submits.

It mirrors what placing an order checks (products/orders/service.py), from facts about the
reader only (signed in, a co-creator who qualifies now, an unused F-code), so a form drawn
for every reader with the same facts can be kept and shared (pagecache.remember) and never
shows one reader's standing to another. Placing the order still decides: the form only
tells ahead what the order would be told.

A tier is locked, most final reason first:
- "sold_out": its unit limit is reached (nothing unlocks it);
- "early": it is in its early window and the reader is neither a co-creator who qualifies
  now nor the holder of an unused F-code for the campaign (joining as a co-creator, an
  F-code, or the end of the window unlocks it);
- "sign_in": the reader is signed out (signing in, then the rules above).
"""

from typing import NamedTuple

from .models import Tier


class TierView(NamedTuple):
    tier: Tier
    units_left: int | None  # None: no limit of its own (the campaign's cap still holds)
    early: bool  # in its early window now
    lock: str | None  # None when the reader can buy it; else why not (above)

    @property
    def buyable(self):
        return self.lock is None


def _lock(sold_out, early, facts):
    if sold_out:
        return "sold_out"
    if early and not (facts.cocreator or facts.f_code):
        return "early"
    if not facts.signed_in:
        return "sign_in"
    return None


def tier_views(tiers, facts, now):
    """The tiers in order as the reader with `facts` (widget.BuyerFacts) may buy them."""
    views = []
    for tier in tiers:
        left = None if tier.limit_units is None else max(0, tier.limit_units - tier.reserved_units)
        early = tier.early_until is not None and now < tier.early_until
        views.append(TierView(tier, left, early, _lock(left == 0, early, facts)))
    return views


def first_buyable(views):
    """The tier a form preselects: the first the reader can buy, or None."""
    return next((view.tier for view in views if view.buyable), None)


def lowest_price(tiers):
    """(price in minor units, currency) of the cheapest tier, or None without tiers."""
    if not tiers:
        return None
    cheapest = min(tiers, key=lambda tier: (tier.price_cents, tier.position, tier.id))
    return cheapest.price_cents, cheapest.currency
