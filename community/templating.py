"""Template filters and globals, registered in one place."""

from datetime import datetime
from urllib.parse import urlencode

from flask import request
from flask_babel import format_datetime, get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from . import panels


def local_time(value: datetime | None, fmt="medium"):
    """A <time> element: server-rendered in the community's zone, and the browser
    rewrites it to the reader's own zone (static/js/site.js)."""
    if value is None:
        return ""
    iso = value.isoformat(timespec="seconds") + "Z"
    return Markup('<time datetime="%s">%s</time>') % (iso, format_datetime(value, fmt))


def url_with(**changes):
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    args.update(changes)
    args = {k: v for k, v in args.items() if v is not None}
    return request.path + ("?" + urlencode(args) if args else "")


def init_app(app):
    app.add_template_filter(local_time)
    app.add_template_global(url_with)
    app.add_template_global(get_locale)
    app.add_template_global(panels.render, "panels")
    app.add_template_global(generate_csrf, "csrf_token")
