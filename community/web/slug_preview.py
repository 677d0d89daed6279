"""GET /slugs/preview?name=...: the slug a name makes (community/kernel/slugs.py), for the
forms' live preview as staff type (static/js/site.js). The form works without it: a slug
left empty is made on the server."""

from flask import Blueprint, jsonify
from flask_login import login_required

from ..kernel import slugs
from .http import text_arg

bp = Blueprint("slugs", __name__)


@bp.get("/slugs/preview")
@login_required
def preview():
    return jsonify(slug=slugs.from_name(text_arg("name")[:200]))
