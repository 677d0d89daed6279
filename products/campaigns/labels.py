from flask_babel import lazy_gettext as _l

CAMPAIGN_STATES = {
    "draft": _l("Draft"), "scheduled": _l("Scheduled"), "live": _l("Live"),
    "ended": _l("Ended, settling"), "succeeded": _l("Succeeded"), "failed": _l("Failed"),
    "cancelled": _l("Cancelled"),
}
ORDER_STATES = {"reserved": _l("Reserved"), "confirmed": _l("Confirmed"), "cancelled": _l("Cancelled")}
PAYMENT_STATUSES = {
    "none": _l("No payment taken"), "awaiting": _l("Awaiting payment"),
    "authorised": _l("Authorised"), "deposit_paid": _l("Deposit paid, balance due"),
    "paid": _l("Paid"), "refunded": _l("Refunded"),
}
CHARGE_MODES = {
    "full": _l("Pay in full now"), "deposit": _l("Deposit now, balance after success"),
    "authorise": _l("Authorise now, charge on success"), "none": _l("No payment (reservation)"),
}
# Where an order was placed (Order.source_kind), for the staff funnel.
ORDER_SOURCES = {
    "product": _l("Product page"), "thread": _l("Product thread"), "idea": _l("Idea page"),
    "conversation": _l("Conversation"), "circle": _l("Circle"), "api": _l("API"),
}
