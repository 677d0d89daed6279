"""Reporting over the JSON API: the same rules as the form (views.py); a target the caller
cannot see is the same 404 as a missing one."""

from ..api.core import api_blueprint, iso, json_body, require_user, token_required
from ..api.openapi import api_doc, define_schema
from ..web import ratelimits
from . import service
from .models import REASONS, TEXT_MAX

bp = api_blueprint("reports_api", __name__)

NEW_REPORT = {
    "type": "object", "required": ["kind", "target_id", "reason"], "additionalProperties": False,
    "properties": {
        "kind": {"type": "string", "maxLength": 16,
                 "description": "post (a reply), thread, idea, profile (a user id), review or "
                                "message."},
        "target_id": {"type": "integer", "minimum": 1},
        "reason": {"type": "string", "enum": list(REASONS)},
        "text": {"type": "string", "maxLength": TEXT_MAX,
                 "description": "Required when the reason is other."},
    },
}
REPORT = define_schema("Report", {
    "type": "object", "required": ["id", "kind", "target_id", "reason", "text", "created_at"],
    "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"}, "target_id": {"type": "integer"},
        "reason": {"type": "string", "enum": list(REASONS)}, "text": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
    },
})


@bp.post("/reports")
@api_doc("Report something to staff", tag="reports", request=NEW_REPORT,
         responses={201: REPORT}, errors=(404, 409, 429),
         description="404 for a target the caller cannot see, exactly as for a missing one; "
                     "409 already_reported while the caller's report on it is open; 422 "
                     "own_content, text_required.")
@ratelimits.posting
@token_required
def create():
    body = json_body()
    user = require_user()
    report, _target = service.report(body["kind"], body["target_id"], user, body["reason"],
                                     body.get("text", ""))
    return {"id": report.id, "kind": report.kind, "target_id": report.target_id,
            "reason": report.reason, "text": report.text,
            "created_at": iso(report.created_at)}, 201
