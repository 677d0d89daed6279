"""The API's view of the caller's standing: whether they are suspended, until when, why."""

from ..api.core import api_blueprint, require_user, token_required
from ..api.openapi import api_doc, define_schema
from . import service

bp = api_blueprint("moderation_api", __name__)

STANDING = define_schema("Standing", {
    "type": "object",
    "required": ["suspended", "until", "reason", "banned"],
    "properties": {
        "suspended": {"type": "boolean"},
        "until": {"type": ["string", "null"], "format": "date-time"},
        "reason": {"type": ["string", "null"]},
        "banned": {"type": "boolean"},
    },
})


@bp.get("/me/standing")
@api_doc("Whether the caller is suspended (until when and why) or banned", tag="accounts",
         responses={200: STANDING},
         description="A suspended member reads but every write answers 403 suspended.")
@token_required
def standing():
    return service.standing(require_user())
