"""Money is integer minor units plus a currency code; it becomes text only on the page."""

from decimal import Decimal

from babel.numbers import get_currency_precision
from flask_babel import format_currency, get_locale

from community.web.templating import drawn_memo, remember

# Amounts as written, by (minor units, currency, locale): a pure function of the key (a
# product page writes ten, babel's formatting some 30 calls each). Bounded: cleared when
# it fills.
_WRITTEN = drawn_memo()


def money(cents, currency):
    """Minor units as the reader's locale writes the amount (¥199.00, JPY has no minor unit)."""
    locale = get_locale()
    key = (cents, currency, locale) if type(cents) is int and locale is not None else None
    found = _WRITTEN.get(key) if key else None
    if found is None:
        found = format_currency(Decimal(cents).scaleb(-get_currency_precision(currency)),
                                currency)
        if key:
            remember(_WRITTEN, key, found)
    return found
