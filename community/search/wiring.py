"""Wire search into an app: config, the community's kinds, listeners, pages, API, CLI."""

import os

from . import api, backends, outbox, pgindex, sources
from . import models as _models  # noqa: F401  (the outbox table for create_all and Alembic)
from .analyzer import warm_up
from .cli import cli
from .views import bp


def init_app(app):
    app.config.setdefault("SEARCH_DIR", os.path.join(app.instance_path, "search"))
    # Drain after each request that wrote outbox rows (after the response is sent).
    app.config.setdefault("SEARCH_DRAIN_AFTER_REQUEST", True)
    app.config.setdefault("SEARCH_DRAIN_BUDGET", 2.0)  # seconds; leftovers wait for the next
    backends.check(app)
    sources.register()
    outbox.connect()
    pgindex.connect()
    # A server's worker loads the search before its first request (gunicorn.conf.py).
    app.extensions.setdefault("fanforge_warm_ups", []).append(warm_up)
    app.after_request(outbox.after_request)
    app.register_blueprint(bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli)

