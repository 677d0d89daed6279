"""One compiled URL builder per rule for the whole run.

Every test builds its own app, and werkzeug turns each of the app's ~170 URL rules into
Python source for url_for, parses and compiles it as the rule is added: ~60 ms of each
test's ~90 ms create_app, the same code every time. What werkzeug compiles depends only on
the rule's text, its parsed parts (`_trace`), its defaults and whether unknown arguments
are appended; the builder reads the rule's converters through `self` when it runs. So
`install()` (tests/conftest.py) keeps the first builder for each of those and hands it to
every later rule alike.

`Rule._compile_builder` is werkzeug's, not public: tests/test_routecache.py compares
every cached builder with the one werkzeug compiles, so a werkzeug that changes what goes
into a builder fails there, not somewhere in a page.
"""

from werkzeug.routing.rules import Rule

compile_builder = Rule._compile_builder  # werkzeug's own, uncached
_builders = {}


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


def install():
    Rule._compile_builder = _cached_builder
