"""Engagement in the app: listeners, pages, the CLI, and what every page shows."""

from flask import g
from flask_login import current_user

from ..extensions import db
from . import checkin, listeners
from .levels import progress
from .medals import MEDALS
from .models import CheckIn
from .views import bp, cli


def _header_context():
    if not current_user or not current_user.is_authenticated:
        return {}
    # Context processors run for every render_template, nested panels included: ask once
    # per request (a miss would otherwise query again each time).
    if "checked_in_today" not in g:
        g.checked_in_today = db.session.get(CheckIn, (current_user.id, checkin.today())) is not None
    return {"checked_in_today": g.checked_in_today}


def init_app(app):
    app.register_blueprint(bp)
    app.cli.add_command(cli)
    app.context_processor(_header_context)
    app.add_template_global(MEDALS, "MEDALS")
    app.add_template_global(progress, "level_progress")
    listeners.connect()
