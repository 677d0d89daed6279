"""Money is integer cents plus a currency code; it becomes text only on the page."""

from decimal import Decimal

from flask_babel import format_currency


def money(cents, currency):
    return format_currency(Decimal(cents) / 100, currency)
