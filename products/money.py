"""Money is integer minor units plus a currency code; it becomes text only on the page."""

from decimal import Decimal

from babel.numbers import get_currency_precision
from flask_babel import format_currency


def money(cents, currency):
    """Minor units as the reader's locale writes the amount (¥199.00, JPY has no minor unit)."""
    return format_currency(Decimal(cents).scaleb(-get_currency_precision(currency)), currency)
