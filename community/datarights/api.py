"""Download my data over the JSON API: ask for an export, and see how it stands. The
download itself is the mailed single-use link (a signed-in browser), never the API."""

from flask_babel import gettext as _

from ..api.core import api_blueprint, iso, require_user, token_required
from ..api.openapi import api_doc, define_schema
from ..kernel.errors import NotFound
from . import export
from .models import EXPORT_STATES
from .views import exporting

bp = api_blueprint("datarights_api", __name__)

DATA_EXPORT = define_schema("DataExport", {
    "type": "object",
    "required": ["id", "state", "requested_at", "ready_at", "expires_at", "downloaded_at",
                 "size"],
    "properties": {
        "id": {"type": "integer"},
        "state": {"type": "string", "enum": list(EXPORT_STATES), "description": (
            "queued: a worker will build it; ready: the link is mailed; downloaded: the "
            "link was used; expired: it was not used in time; failed: ask again.")},
        "requested_at": {"type": "string", "format": "date-time"},
        "ready_at": {"type": ["string", "null"], "format": "date-time"},
        "expires_at": {"type": ["string", "null"], "format": "date-time",
                       "description": "The mailed link works until then, once."},
        "downloaded_at": {"type": ["string", "null"], "format": "date-time"},
        "size": {"type": ["integer", "null"], "description": "The zip's bytes."},
    },
})


def export_json(found):
    return {"id": found.id, "state": found.state, "requested_at": iso(found.requested_at),
            "ready_at": iso(found.ready_at), "expires_at": iso(found.expires_at),
            "downloaded_at": iso(found.downloaded_at), "size": found.size}


@bp.post("/me/data-export")
@api_doc("Ask for a copy of everything your account wrote and owns", tag="users",
         responses={202: DATA_EXPORT}, description=(
             "A worker builds a zip (JSON per area and a readable index.html) and mails a "
             "single-use link, valid for 7 days, to the account's address. While an export "
             "is queued, asking again returns that one. Rate-limited per account "
             "(FANFORGE_RATELIMIT_DATA_EXPORT, 5 a day), with the settings page's button."),
         errors=(429,))
@token_required
@exporting
def request_export():
    return export_json(export.request_export(require_user())), 202


@bp.get("/me/data-export")
@api_doc("Your latest data export and how it stands", tag="users",
         responses={200: DATA_EXPORT}, errors=(404,))
@token_required
def export_status():
    found = export.latest(require_user().id)
    if found is None:
        raise NotFound(_("No data export was asked for yet."), code="no_export")
    return export_json(found)
