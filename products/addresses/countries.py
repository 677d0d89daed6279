"""Countries an address may be in: ISO 3166-1 alpha-2 codes, named in the reader's language."""

from babel import Locale
from flask_babel import get_locale

# Babel's territories that are not ISO 3166-1 countries (regions, reserved codes).
_NOT_COUNTRIES = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA",
                  "XB", "XK", "ZZ"}
CODES = frozenset(code for code in Locale("en").territories
                  if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES)


def country_name(code):
    locale = get_locale() or Locale("en")
    return locale.territories.get(code, code)


def country_choices():
    """(code, name) for a select, China first, then by name in the reader's language."""
    locale = get_locale() or Locale("en")
    names = locale.territories
    rest = sorted((c for c in CODES if c != "CN"), key=lambda c: names.get(c, c))
    return [(code, names.get(code, code)) for code in ["CN", *rest]]
