from flask_babel import lazy_gettext as _l

TRIAL_STATUSES = {
    "applied": _l("Applied"), "shortlisted": _l("Shortlisted"), "selected": _l("Selected"),
    "confirmed": _l("Tester"), "declined": _l("Declined"), "rejected": _l("Not selected"),
}
