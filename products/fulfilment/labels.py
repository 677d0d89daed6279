from flask_babel import lazy_gettext as _l

FULFILMENT_STEPS = {"in_production": _l("In production"), "shipped": _l("Shipped"),
                    "delivered": _l("Delivered")}
IMPORT_OUTCOMES = {"shipped": _l("Marked shipped"), "unchanged": _l("Already shipped"),
                   "refused": _l("Refused")}
