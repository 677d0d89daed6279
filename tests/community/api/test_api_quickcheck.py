"""community/api/quickcheck.py: a body its predicate passes is one jsonschema finds nothing
wrong with, for every request schema the app documents and bodies of every shape; and the
hot bodies (a checkout's) are passed without jsonschema."""

import random

import pytest

from community.api import core, openapi, quickcheck
from products.payments.api import NEW_CHECKOUT

VALUES = [None, True, False, 0, 1, -1, 2, 10**20, 1.0, 1.5, -0.0, float("inf"), "", "a", "ab",
          "x" * 24, "x" * 25, "x" * 5000, "conversation", "circle", "api", "read", "write",
          [], [1], ["a"], ["a", "a"], [None], {}, {"a": "b"}, {"a": 1}, {"kind": "circle", "id": 1},
          {"kind": "circle", "id": 1, "x": 2}, {"kind": "nope", "id": 1}, {"kind": "circle"}]


def _values_for(schema):
    """Candidates for a property: the pool, and the enum's and bounds' own values."""
    found = list(VALUES)
    if isinstance(schema, dict):
        found += schema.get("enum", [])
        for bound in ("minimum", "maximum"):
            if isinstance(schema.get(bound), int):
                found += [schema[bound] - 1, schema[bound], schema[bound] + 1]
        for bound in ("minLength", "maxLength"):
            if isinstance(schema.get(bound), int) and schema[bound] <= 100_000:
                found += ["y" * max(schema[bound] + step, 0) for step in (-1, 0, 1)]
    return found


def _bodies(schema, rng, count=400):
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    names = list(properties)
    yield from VALUES
    for _ in range(count):
        chosen = rng.sample(names, rng.randint(0, len(names))) if names else []
        body = {name: rng.choice(_values_for(properties[name])) for name in chosen}
        if rng.random() < 0.1:
            body["unexpected"] = rng.choice(VALUES)
        yield body


def _request_schemas(app):
    found = {}
    for view in app.view_functions.values():
        for spec in getattr(view, "api_docs", {}).values():
            if spec.get("request"):
                found[id(spec["request"])] = spec["request"]
    return list(found.values())


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_a_body_the_quick_check_passes_is_valid(app):
    schemas = _request_schemas(app)
    assert len(schemas) > 10
    rng = random.Random(22)
    compiled = passed = 0
    for schema in schemas:
        validator = core._validator(schema)
        compiled += quickcheck.compile_schema(schema) is not None
        for body in _bodies(schema, rng):
            if quickcheck.passes(body, schema):
                passed += 1
                assert not list(validator.iter_errors(body)), (schema, body)
    assert compiled > len(schemas) // 2 and passed > 1000


def test_a_checkout_body_is_passed_by_the_quick_check():
    body = {"tier": 3, "quantity": 1, "address_id": 7}
    assert quickcheck.passes(body, NEW_CHECKOUT)
    assert quickcheck.passes({**body, "address_id": None, "ref": "abc", "f_code": "F" * 24,
                              "variant": None, "personalisation": {"Name": "Wu"},
                              "source": {"kind": "circle", "id": 2}}, NEW_CHECKOUT)
    for wrong in ({"tier": 3}, {**body, "quantity": True}, {**body, "f_code": "F" * 25},
                  {**body, "extra": 1}, {**body, "source": {"kind": "mail", "id": 2}},
                  {**body, "personalisation": {"Name": 1}}, [body]):
        assert not quickcheck.passes(wrong, NEW_CHECKOUT)
        with pytest.raises(core.InvalidBody):
            core.check(wrong, NEW_CHECKOUT) if isinstance(wrong, dict) else _fail(wrong)


def _fail(wrong):
    raise core.InvalidBody({"body": "not an object"})


def test_a_schema_with_a_keyword_the_drafts_read_apart_is_left_to_jsonschema():
    """fastjsonschema reads draft 7, the API's schemas are 2020-12: a keyword draft 7 does
    not know would be ignored there and let through what 2020-12 refuses."""
    for schema in ({"oneOf": [{"type": "null"}]}, {"type": "array", "uniqueItems": True},
                   {"type": "array", "prefixItems": [{"type": "string"}]},
                   {"type": "object", "unevaluatedProperties": False},
                   {"type": "object", "dependentRequired": {"a": ["b"]}},
                   {"type": "object", "properties": {"a": {"anyOf": [{"type": "null"}]}}},
                   {"type": "array", "items": {"not": {"type": "null"}}},
                   {"$ref": "#/components/schemas/NoSuchThing"}):
        assert quickcheck.compile_schema(schema) is None, schema
        assert not quickcheck.passes({}, schema)
    assert openapi.SCHEMAS  # the components the $refs name are resolved as jsonschema does


def test_a_format_it_checks_only_sends_the_body_on_to_jsonschema():
    schema = {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}}
    assert quickcheck.compile_schema(schema) is not None
    assert not quickcheck.passes({"at": "soon"}, schema)  # fastjsonschema checks the format...
    core.check({"at": "soon"}, schema)  # ...2020-12 only annotates it: still no error
