"""Engagement in the app: listeners, pages, the CLI, and what every page shows."""

from flask import g
from flask_login import current_user

from ..extensions import db
from . import checkin, listeners
from .levels import progress
from .medals import MEDALS
from .models import CheckIn
from .views import bp, cli


def checked_in_today():
    """For the header's check-in button (templates/_account_nav.html)."""
    if not current_user or not current_user.is_authenticated:
        return True
    # Asked once per request, however many panels render.
    if "checked_in_today" not in g:
        g.checked_in_today = db.session.get(CheckIn, (current_user.id, checkin.today())) is not None
    return g.checked_in_today


def init_app(app):
    app.register_blueprint(bp)
    app.cli.add_command(cli)
    app.add_template_global(checked_in_today)
    app.add_template_global(MEDALS, "MEDALS")
    app.add_template_global(progress, "level_progress")
    listeners.connect()
