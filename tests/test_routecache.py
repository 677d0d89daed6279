"""tests/routecache.py gives every test's app the URL builders werkzeug compiled for an
earlier one: each must be the very code werkzeug compiles for the rule at hand."""

import routecache
from werkzeug.routing.rules import Rule


def _code(builder):
    code = builder.__code__
    return (builder.__name__, code.co_code, code.co_consts, code.co_names, code.co_varnames,
            builder.__defaults__, builder.__kwdefaults__)


def test_each_cached_url_builder_is_the_one_werkzeug_compiles(sqlite_app):
    assert Rule._compile_builder is routecache._cached_builder
    rules = list(sqlite_app.url_map.iter_rules())
    assert len(rules) > 100
    for rule in rules:
        assert rule._build.__func__ is rule._compile_builder(False)  # the app took the cached one
        for append_unknown in (False, True):
            fresh = routecache.compile_builder(rule, append_unknown)
            assert _code(rule._compile_builder(append_unknown)) == _code(fresh), rule.rule
