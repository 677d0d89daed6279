"""A request body's quick check: fastjsonschema compiles a request schema once to Python
code, and a body that code finds valid skips jsonschema.

jsonschema walks a schema anew for every body (a checkout's three fields cost some 130
Python calls); the compiled code checks a body in a couple of microseconds. jsonschema
still answers every body the quick check does not pass, so the error answers (which
fields, which messages) are its own, as before.

fastjsonschema knows JSON Schema up to draft 7; the API's schemas are draft 2020-12
(core._validator). A keyword the two drafts read differently, or one draft 7 does not
know (prefixItems, unevaluatedProperties...), would be ignored there and let through a
body 2020-12 refuses, so only schemas made of the keywords below, whose meaning the two
drafts share, are compiled; any other goes to jsonschema alone. `format` is among them:
jsonschema only annotates it, fastjsonschema checks it, so it can only send more bodies
on to jsonschema, never fewer.
"""

import fastjsonschema

from . import openapi

_SHARED_KEYWORDS = frozenset({
    "type", "required", "properties", "additionalProperties", "enum", "const", "items",
    "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "pattern",
    "format", "$ref", "description", "title", "examples", "default",
    "deprecated", "readOnly", "writeOnly", "$comment"})
_SUBSCHEMAS = ("items", "additionalProperties")
_COMPILED = {}


def passes(instance, schema):
    """True when `instance` is valid against `schema`; False means "ask jsonschema"."""
    found = _COMPILED.get(id(schema))
    if found is None or found[0] is not schema:  # schemas are module constants: id() names them
        found = _COMPILED[id(schema)] = (schema, compile_schema(schema))
    check = found[1]
    if check is None:
        return False
    try:
        check(instance)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


def compile_schema(schema):
    """fastjsonschema's validator for `schema` (its $refs resolved among the document's
    components, as core._validator resolves them), or None if a keyword it holds, or
    holds through a $ref, is not one both drafts share."""
    if not _shared(schema, set()):
        return None
    root = dict(schema, components={"schemas": openapi.SCHEMAS})
    try:
        return fastjsonschema.compile(root, use_default=False)
    except fastjsonschema.JsonSchemaDefinitionException:  # a schema it cannot compile
        return None


def _shared(schema, seen):
    if not isinstance(schema, dict) or not schema.keys() <= _SHARED_KEYWORDS:
        return isinstance(schema, bool)
    ref = schema.get("$ref")
    if ref is not None:
        prefix = "#/components/schemas/"
        name = ref[len(prefix):] if ref.startswith(prefix) else None
        if name not in openapi.SCHEMAS:
            return False
        if name not in seen:
            seen.add(name)
            if not _shared(openapi.SCHEMAS[name], seen):
                return False
    children = list(schema.get("properties", {}).values())
    children += [schema[key] for key in _SUBSCHEMAS if isinstance(schema.get(key), dict)]
    return all(_shared(child, seen) for child in children)
