"""A request body's quick check: a schema of the plain kinds the API's bodies use, compiled
once to a Python predicate that answers whether jsonschema would find nothing wrong.

jsonschema walks a schema anew for every body (a checkout's three fields cost some 130
Python calls); the predicate makes one call per object, array or value checked. It knows
type, required, properties, additionalProperties, enum (of strings, numbers, booleans,
null), minLength/maxLength, minimum/maximum and items, and ignores the annotations
(description, title...). It is conservative: False means "ask jsonschema", which then
names the errors as before (or finds none: 1.0 is an integer to JSON Schema, not here).
A schema with any other keyword ($ref, oneOf, format, pattern...) is never compiled:
its bodies all go to jsonschema.
"""

_TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
          "null": (type(None),), "object": (dict,), "array": (list,)}
_ANNOTATIONS = frozenset({"description", "title", "examples", "default", "deprecated",
                          "readOnly", "writeOnly", "$comment"})
_KEYWORDS = frozenset({"type", "required", "properties", "additionalProperties", "enum",
                       "minLength", "maxLength", "minimum", "maximum", "items"}) | _ANNOTATIONS
_SCALARS = (str, int, float, bool, type(None))
_COMPILED = {}


def passes(instance, schema):
    """True when `instance` is valid against `schema` as far as the predicate knows."""
    found = _COMPILED.get(id(schema))
    if found is None or found[0] is not schema:  # schemas are module constants: id() names them
        found = _COMPILED[id(schema)] = (schema, _compile(schema))
    return found[1] is not None and found[1](instance)


def _compile(schema):
    """The predicate for `schema`, or None if it has a keyword this module does not know."""
    if not isinstance(schema, dict) or not schema.keys() <= _KEYWORDS:
        return None
    kinds = schema.get("type")
    if kinds is not None:
        names = [kinds] if isinstance(kinds, str) else kinds
        if not isinstance(names, list) or not all(name in _TYPES for name in names):
            return None
        types = frozenset(t for name in names for t in _TYPES[name])
    checks = []
    if kinds is not None:
        checks.append(lambda v: type(v) in types)  # exactly: a bool is no integer here
    if "enum" in schema:
        enum = schema["enum"]
        if not isinstance(enum, list) or not all(type(e) in _SCALARS for e in enum):
            return None
        # Equal and of the same type, as jsonschema has it (True is not 1); 1 and 1.0 fall
        # through to jsonschema.
        allowed = frozenset((type(e), e) for e in enum)
        checks.append(lambda v: type(v) in _SCALARS and (type(v), v) in allowed)
    for name, test in (("minLength", lambda n: lambda v: type(v) is not str or len(v) >= n),
                       ("maxLength", lambda n: lambda v: type(v) is not str or len(v) <= n),
                       ("minimum", lambda n: lambda v: type(v) not in (int, float) or v >= n),
                       ("maximum", lambda n: lambda v: type(v) not in (int, float) or v <= n)):
        if name in schema:
            bound = schema[name]
            if type(bound) not in (int, float):
                return None
            checks.append(test(bound))
    if "items" in schema:
        item = _compile(schema["items"])
        if item is None:
            return None
        checks.append(lambda v: type(v) is not list or all(item(x) for x in v))
    if {"required", "properties", "additionalProperties"} & schema.keys():
        fields = _object(schema)
        if fields is None:
            return None
        checks.append(fields)
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)
    return lambda v: all(check(v) for check in checks)


def _object(schema):
    """The predicate for an object's required, properties and additionalProperties."""
    required = schema.get("required", [])
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    if not isinstance(required, list) or not isinstance(properties, dict):
        return None
    compiled = {name: _compile(sub) for name, sub in properties.items()}
    if any(check is None for check in compiled.values()):
        return None
    if extra is True:
        other = None
    elif extra is False:
        other = False
    else:
        other = _compile(extra)
        if other is None:
            return None
    required = frozenset(required)

    def fields(value):
        if type(value) is not dict:
            return True  # these keywords hold for anything else
        if not value.keys() >= required:
            return False
        for name, item in value.items():
            check = compiled.get(name)
            if check is None:
                if other is False or (other is not None and not other(item)):
                    return False
            elif not check(item):
                return False
        return True
    return fields
