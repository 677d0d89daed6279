"""Wire mail into an app: Flask-Mailman, the community's mail kinds, pages, CLI, jobs."""

from collections import ChainMap

from ..notifications import kinds
from . import jobs_views, notify, views
from . import models as _models  # noqa: F401  (tables for create_all and Alembic)
from . import tasks as _tasks  # noqa: F401  (registers the mail jobs)
from .cli import cli
from .labels import CHOICE_NAMES, KIND_NAMES
from .sender import mail


def init_app(app):
    mail.init_app(app)
    notify.register()
    app.register_blueprint(views.bp)
    app.register_blueprint(jobs_views.bp)
    app.add_template_global(ChainMap(KIND_NAMES, kinds.LABELS), "MAIL_KIND_NAMES")
    app.add_template_global(CHOICE_NAMES, "MAIL_CHOICE_NAMES")
    app.cli.add_command(cli)
