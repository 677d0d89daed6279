"""Avatars: the settings form's two actions, and the pictures themselves."""

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.file import FileField
from wtforms.validators import InputRequired

from ..kernel.errors import DomainError
from ..web import ratelimits
from ..web.forms import Form
from . import drawing, service

bp = Blueprint("avatars", __name__)

# An upload's URL names its token: it never shows another picture, so it is kept for good.
MAX_AGE = 365 * 24 * 3600
# A default's picture follows from its URL too, but the palette may change with a release.
DEFAULT_MAX_AGE = 7 * 24 * 3600


class AvatarForm(Form):
    avatar = FileField(validators=[InputRequired()])


def _to_settings():
    return redirect(url_for("accounts.settings") + "#avatar")


@bp.post("/settings/avatar")
@login_required
@ratelimits.posting
def upload():
    form = AvatarForm()
    if not form.validate_on_submit() or not form.avatar.data:
        flash(_("Choose an image to upload."), "error")
        return _to_settings(), 303
    try:
        service.set_avatar(current_user, form.avatar.data)
    except DomainError as error:
        flash(error.message, "error")
        return _to_settings(), 303
    flash(_("Your avatar is updated."), "success")
    return _to_settings(), 303


@bp.post("/settings/avatar/remove")
@login_required
def remove():
    if not Form().validate_on_submit():
        abort(400)
    if service.remove_avatar(current_user):
        flash(_("Your avatar is removed: everyone sees your initial again."), "success")
    return _to_settings(), 303


def _cacheable(response, max_age, immutable):
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.cache_control.immutable = immutable
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/avatars/<int:user_id>/<token>-<int:size>.png")
def uploaded(user_id, token, size):
    data = service.find(user_id, token, size)
    return _cacheable(Response(data, mimetype=service.CONTENT_TYPE), MAX_AGE, True)


@bp.get("/avatars/default/<int:user_id>/<code>.svg")
def default(user_id, code):
    """The generated default: `code` is the initial's code point in hex."""
    try:
        initial = chr(int(code, 16)) if len(code) <= 6 else ""
    except ValueError:
        initial = ""
    if drawing.initial_of(initial) != initial:
        abort(404)
    response = Response(drawing.default_svg(user_id, initial), mimetype="image/svg+xml")
    # An SVG opened on its own is a document: it may run nothing and load nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return _cacheable(response, DEFAULT_MAX_AGE, False)
