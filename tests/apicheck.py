"""Check real API responses against the OpenAPI document.

`assert_conforms(client, response, "POST", "/api/v1/tokens")` fails unless the
document lists that status for the operation (or it is an error covered by
"default") and the JSON body validates against the documented schema.
"""

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from community.api.openapi import document

DOC_URI = "urn:fanforge:openapi"


def _pointer(*parts):
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def assert_conforms(app_or_client, response, method, path_template):
    """Validate `response` against the documented operation; returns its JSON (or None)."""
    app = getattr(app_or_client, "application", app_or_client)
    doc = document(app)
    method = method.lower()
    operation = doc["paths"].get(path_template, {}).get(method)
    assert operation is not None, f"{method.upper()} {path_template} is not in the document"
    status = str(response.status_code)
    if status in operation["responses"]:
        key = status
    else:
        assert response.status_code >= 400 and "default" in operation["responses"], (
            f"{method.upper()} {path_template} does not document status {status}")
        key = "default"
    documented = operation["responses"][key]
    if "content" not in documented:
        assert response.get_data() == b"", f"status {status} is documented with no body"
        return None
    assert response.is_json, f"status {status} should be JSON, got {response.content_type}"
    schema_pointer = _pointer("paths", path_template, method, "responses", key, "content",
                              "application/json", "schema")
    registry = Registry().with_resource(
        DOC_URI, Resource.from_contents(doc, default_specification=DRAFT202012))
    validator = Draft202012Validator({"$ref": f"{DOC_URI}#{schema_pointer}"}, registry=registry)
    body = response.get_json()
    errors = [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
              for e in validator.iter_errors(body)]
    assert errors == [], f"{method.upper()} {path_template} -> {status}: {errors}"
    return body
