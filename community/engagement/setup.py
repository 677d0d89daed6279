"""Engagement in the app: listeners, pages, the CLI, and what every page shows."""

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
    return {"checked_in_today": db.session.get(CheckIn, (current_user.id, checkin.today())) is not None}


def init_app(app):
    app.register_blueprint(bp)
    app.cli.add_command(cli)
    app.context_processor(_header_context)
    app.add_template_global(MEDALS, "MEDALS")
    app.add_template_global(progress, "level_progress")
    listeners.connect()
