"""Human names for the roadmap's columns, translated at render time."""

from flask_babel import lazy_gettext as _l

COLUMN_NAMES = {"planned": _l("Planned"), "in_progress": _l("In progress"),
                "shipped": _l("Shipped")}
CREDIT_NAMES = {"proposer": _l("proposed it"), "cocreator": _l("co-created it")}
