from flask_babel import lazy_gettext as _l

CAMPAIGN_STATES = {
    "draft": _l("Draft"), "scheduled": _l("Scheduled"), "live": _l("Live"),
    "ended": _l("Ended, settling"), "succeeded": _l("Succeeded"), "failed": _l("Failed"),
    "cancelled": _l("Cancelled"),
}
ORDER_STATES = {"reserved": _l("Reserved"), "confirmed": _l("Confirmed"), "cancelled": _l("Cancelled")}
