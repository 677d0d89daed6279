"""Names of report reasons and outcomes, in the reader's language."""

from flask_babel import lazy_gettext as _l

REASON_NAMES = {
    "spam": _l("Spam"),
    "abuse": _l("Abuse or harassment"),
    "off_topic": _l("Off-topic"),
    "illegal": _l("Illegal content"),
    "other": _l("Something else"),
}
