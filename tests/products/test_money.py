"""money() remembers what it wrote per process: the same text as babel writes, per locale."""

from decimal import Decimal

from babel.numbers import format_currency
from flask_babel import force_locale

from products.money import money


def test_money_writes_what_babel_writes_in_each_locale(sqlite_app):
    amounts = [(0, "CNY"), (19900, "CNY"), (5, "USD"), (123456789, "USD"), (1999, "JPY"),
               (-250, "EUR")]
    with sqlite_app.test_request_context("/"):
        for _ in range(2):  # the second time from the memo
            for locale in ("zh", "en", "zh"):
                with force_locale(locale):
                    for cents, currency in amounts:
                        units = Decimal(cents).scaleb(-(0 if currency == "JPY" else 2))
                        assert money(cents, currency) == format_currency(
                            units, currency, locale=locale)
        with force_locale("en"):
            assert money(19900, "CNY") == "CN¥199.00"
        with force_locale("zh"):
            assert money(19900, "CNY") == "¥199.00"
