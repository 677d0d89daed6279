"""Attack 7: templates' url_for memo (community/web/urlmemo.py) keys a URL by its values'
type and equality. Values that are equal, of one type, yet print differently (0.0 and
-0.0, Decimal 1.0 and 1.00), or whose equality changes with the request (a lazy string
compares by the reader's language), must not be answered with another call's URL."""

from decimal import Decimal

import pytest
from flask import url_for
from flask_babel import force_locale, lazy_gettext

PAIRS = [(0.0, -0.0), (Decimal("1.0"), Decimal("1.00")), (Decimal("0"), Decimal("-0"))]


@pytest.mark.parametrize(("first", "second"), PAIRS, ids=["float-zero", "decimal", "decimal-zero"])
def test_equal_values_that_print_differently_get_their_own_url(sqlite_app, first, second):
    with sqlite_app.test_request_context("/"):
        memo = sqlite_app.jinja_env.globals["url_for"]
        assert memo("ideas.index", page=first) == url_for("ideas.index", page=first)
        assert memo("ideas.index", page=second) == url_for("ideas.index", page=second)


def test_a_lazy_value_is_built_in_each_readers_language(sqlite_app):
    tab = lazy_gettext("Comments")
    for language in ("zh", "en", "zh"):
        with sqlite_app.test_request_context("/"), force_locale(language):
            memo = sqlite_app.jinja_env.globals["url_for"]
            assert memo("ideas.index", tab=tab) == url_for("ideas.index", tab=tab)


def test_long_values_are_built_each_time_and_not_kept(sqlite_app):
    """A `next=` path of kilobytes is not kept: 4,096 of them would hold tens of MB a
    worker. Short values are kept, and both answer as url_for does."""
    long_path = "/ideas/" + "x" * 5000
    with sqlite_app.test_request_context("/"):
        memo = sqlite_app.jinja_env.globals["url_for"]
        kept = sqlite_app.extensions["fanforge_url_memo"]
        kept.clear()
        assert memo("accounts.login", next=long_path) == url_for("accounts.login", next=long_path)
        assert kept == {}
        assert memo("accounts.login", next="/ideas") == url_for("accounts.login", next="/ideas")
        assert len(kept) == 1
