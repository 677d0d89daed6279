"""Serving fans' images as what they were stored as, never sniffed."""

from flask import Blueprint, Response, redirect

from . import service

bp = Blueprint("media", __name__)

# Names are random and never reused, so a browser may keep them for good.
MAX_AGE = 365 * 24 * 3600


@bp.get("/media/<name>")
def image(name):
    data, content_type, url = service.find(name)
    if url is not None:  # the storage serves it (FANFORGE_MEDIA_S3_PUBLIC_URL)
        return redirect(url)
    response = Response(data, mimetype=content_type)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response
