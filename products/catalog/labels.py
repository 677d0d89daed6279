"""Human names for product stages, translated at render time."""

from flask_babel import lazy_gettext as _l

STAGE_NAMES = {
    "concept": _l("Concept"),
    "co_creation": _l("Co-creation"),
    "preorder": _l("Pre-order"),
    "in_production": _l("In production"),
    "shipped": _l("Shipped"),
    "cancelled": _l("Cancelled"),
}
