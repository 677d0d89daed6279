"""Human names for statuses and sorts, translated at render time."""

from flask_babel import lazy_gettext as _l

STATUS_NAMES = {
    "open": _l("Open"),
    "under_review": _l("Under review"),
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "shipped": _l("Shipped"),
    "declined": _l("Declined"),
    "merged": _l("Merged"),
}

SORT_NAMES = {"hot": _l("Hot"), "top": _l("Top"), "new": _l("New")}
PERIOD_NAMES = {"week": _l("This week"), "month": _l("This month"), "all": _l("All time")}
