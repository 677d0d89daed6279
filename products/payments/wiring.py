"""Payments in the app: providers, blueprints, the settlement listeners, the jobs."""

from community.web import panels as community_panels

from . import models as _models  # noqa: F401  (tables for create_all and Alembic)
from . import panels, providers, settlement
from . import tasks as _tasks  # noqa: F401  (registers its jobs)
from .api import bp as api
from .providers import dummy as _dummy  # noqa: F401  (the dummy gateway's tables)
from .views import bp, gateway


def init_app(app):
    providers.init_app(app)
    settlement.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(gateway)
    app.register_blueprint(api)
    community_panels.register(app, "staff_jobs", panels.on_staff_jobs, personal=False)
