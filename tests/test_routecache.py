"""tests/routecache.py gives every test's app the parsed rules and URL builders werkzeug
made for an earlier one: each must be exactly what werkzeug makes for the rule at hand."""

import copy

import routecache
from werkzeug.routing.rules import Rule


def _code(builder):
    code = builder.__code__
    return (builder.__name__, code.co_code, code.co_consts, code.co_names, code.co_varnames,
            builder.__defaults__, builder.__kwdefaults__)


def _converter(converter):
    return type(converter), {name: value for name, value in vars(converter).items() if name != "map"}


def test_each_cached_url_builder_is_the_one_werkzeug_compiles(sqlite_app):
    assert Rule._compile_builder is routecache._cached_builder
    rules = list(sqlite_app.url_map.iter_rules())
    assert len(rules) > 100
    for rule in rules:
        assert rule._build.__func__ is rule._compile_builder(False)  # the app took the cached one
        for append_unknown in (False, True):
            fresh = routecache.compile_builder(rule, append_unknown)
            assert _code(rule._compile_builder(append_unknown)) == _code(fresh), rule.rule


def test_each_cached_rule_is_the_one_werkzeug_parses(sqlite_app):
    assert Rule.compile is routecache._cached_compile
    rules = list(sqlite_app.url_map.iter_rules())
    assert any(rule._converters for rule in rules)
    cached = {id(part) for parts, _, _ in routecache._rules.values() for part in parts}
    for rule in rules:
        assert all(id(part) in cached for part in rule._parts)  # the app took cached ones
        fresh = copy.copy(rule)
        fresh.arguments = set(rule.defaults or ())
        routecache.compile_rule(fresh)
        assert (rule._parts, rule._trace, rule.arguments) == (fresh._parts, fresh._trace, fresh.arguments)
        assert {name: _converter(c) for name, c in rule._converters.items()} == \
            {name: _converter(c) for name, c in fresh._converters.items()}, rule.rule
        assert all(c.map is sqlite_app.url_map for c in rule._converters.values())


def test_a_cached_rule_matches_and_builds_in_a_new_app(client):
    # The second app in this process (the first was the schema's) takes every rule cached.
    assert client.get("/t/999999").status_code == 404
    assert client.get("/t/99999999999999999999999").status_code == 404  # past 64 bits: no match
    with client.application.test_request_context():
        assert client.application.url_for("forum.thread", thread_id=7) == "/t/7"
