"""The composer's endpoints: a reader's own drafts (JSON for static/js/composer.js and a
page under Me), the preview, and "@" suggestions. None of them is a shared page."""

from flask import Blueprint, jsonify, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..kernel.errors import ValidationError
from ..web.http import int_arg, json_value, text_arg
from . import drafts, people
from .preview import preview as render_preview

bp = Blueprint("composer", __name__)


def _json_body():
    data = json_value()
    if not isinstance(data, dict) or not isinstance(data.get("body", ""), str):
        raise ValidationError(_("Send a JSON object with the text as \"body\"."), field="body")
    return data


@bp.get("/composer/drafts/<place>")
@login_required
def draft(place):
    kept = drafts.get(current_user, place)
    if kept is None:
        return "", 204
    return jsonify(body=kept.body, error=kept.error, updated_at=kept.updated_at.isoformat() + "Z")


@bp.put("/composer/drafts/<place>")
@login_required
def save_draft(place):
    data = _json_body()
    url = data.get("url")
    saved = drafts.save(current_user, place, data.get("body", ""),
                        url if isinstance(url, str) else "")
    return jsonify(saved_at=saved.isoformat() + "Z" if saved else None)


@bp.delete("/composer/drafts/<place>")
@login_required
def discard_draft(place):
    drafts.discard(current_user, place)
    return "", 204


@bp.post("/composer/preview")
@login_required
def preview():
    html, warnings = render_preview(current_user, _json_body().get("body", ""))
    return jsonify(html=html, warnings=warnings)


@bp.get("/composer/people")
@login_required
def suggestions():
    return jsonify(people=people.suggest(current_user, text_arg("q"), int_arg("thread", None)))


@bp.get("/me/drafts")
@login_required
def index():
    return render_template("community/composer/drafts.html", drafts=drafts.of_user(current_user))
