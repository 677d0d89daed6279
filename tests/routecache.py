"""One parsed rule and one compiled URL builder per rule text for the whole run.

Every test builds its own app, and werkzeug parses each of the app's ~310 URL rules
(`Rule.compile`: the rule's parts, their regexes and weights, its converters) and turns
each into Python source for url_for, compiled as the rule is added: most of each test's
create_app, the same work every time.

- What `compile` makes depends only on the rule's text, its host or subdomain, whether
  slashes merge, and the map's converter classes. `install()` (tests/conftest.py) keeps
  the first result for each and gives a later rule alike copies of it, its converters
  bound to the later rule's map.
- What werkzeug compiles into a builder depends only on the rule's text, its parsed parts
  (`_trace`), its defaults and whether unknown arguments are appended; the builder reads
  the rule's converters through `self` when it runs. The first builder for each is kept.

`Rule.compile` and `Rule._compile_builder` are werkzeug's, not public:
tests/test_routecache.py compares every cached rule and builder with what werkzeug makes
for the rule at hand, so a werkzeug that changes either fails there, not in a page.
"""

import copy

from werkzeug.routing.rules import Rule

compile_rule = Rule.compile  # werkzeug's own, uncached
compile_builder = Rule._compile_builder
_builders = {}
_rules = {}


def _key(rule, append_unknown):
    defaults = rule.defaults or {}
    return (rule.rule, tuple(rule._trace), append_unknown,
            tuple((name, rule._converters[name].to_url(value) if name in rule._converters else None)
                  for name, value in defaults.items()))


def _cached_builder(rule, append_unknown=True):
    key = _key(rule, append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = compile_builder(rule, append_unknown)
    return builder


def _rule_key(rule):
    host_matching = rule.map.host_matching
    domain = (rule.host if host_matching else rule.subdomain) or ""
    # In the order they were registered, not sorted (a third of create_app's time went to
    # sorting them per rule): maps that register alike share entries, others only miss.
    converters = tuple(rule.map.converters.items())
    return rule.rule, host_matching, domain, bool(rule.merge_slashes), converters


def _cached_compile(rule):
    key = _rule_key(rule)
    parsed = _rules.get(key)
    if parsed is None:
        compile_rule(rule)
        _rules[key] = (tuple(rule._parts), tuple(rule._trace), dict(rule._converters))
        return
    parts, trace, converters = parsed
    rule._parts = list(parts)  # RuleParts are only read (the matcher's states copy them)
    rule._trace = list(trace)
    rule._converters = {}
    for name, converter in converters.items():
        own = rule._converters[name] = copy.copy(converter)
        own.map = rule.map
    rule.arguments.update(converters)
    rule._build = rule._compile_builder(False).__get__(rule, None)
    rule._build_unknown = rule._compile_builder(True).__get__(rule, None)


def install():
    Rule._compile_builder = _cached_builder
    Rule.compile = _cached_compile
