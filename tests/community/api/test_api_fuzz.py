"""Schemathesis over /api/v1/openapi.json: every operation, with a staff member's bearer
token (so authenticated operations run past their check), a bounded number of generated
requests each, valid ones and invalid ones (a page of "²", a body of the wrong type).
None may be a 5xx, and every answer must keep to the document: a declared
status code, a declared content type, a body and headers matching their schemas.

Domain rules the document cannot state (a board must exist, a status must be one the
staff set allows) may still refuse a schema-valid request with a declared 4xx, so the
"valid data accepted" check is left out."""

import pytest
import schemathesis
from helpers import TEST_CONFIG, make_board, make_campaign, make_user
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from community.accounts import tokens
from community.kernel.extensions import db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]
# ~60 operations: with this many requests each the run stays well under a minute.
EXAMPLES = 12


@pytest.mark.long
def test_every_operation_keeps_to_the_document(tmp_path):
    app = create_app(dict(TEST_CONFIG, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/db.sqlite3"))
    with app.app_context():
        db.create_all()
        staff = make_user("fuzzer", role="staff")
        make_board("chat")
        make_campaign(staff=staff)
        token = tokens.create_token(staff, "fuzz")[1]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, tried = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        tried += 1

        @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                              operation.as_strategy(GenerationMode.NEGATIVE)))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck),
                  phases=[Phase.explicit, Phase.generate])
        def call(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        try:
            call()
        except Exception as error:  # a FailureGroup: report every operation at once
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    assert tried > 40
    assert failures == [], "\n\n".join(failures)
