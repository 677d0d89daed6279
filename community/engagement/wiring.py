"""Engagement in the app: listeners, pages, the CLI, and what every page shows."""


from ..accounts.levels import progress
from . import listeners
from .medals import MEDALS
from .views import bp, cli


def init_app(app):
    app.register_blueprint(bp)
    app.cli.add_command(cli)
    app.add_template_global(MEDALS, "MEDALS")
    app.add_template_global(progress, "level_progress")
    listeners.connect()
