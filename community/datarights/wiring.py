"""Wire the data rights into an app: tables, pages, API, mail, jobs, the settings panel,
the community's rules, and the sign-in that cancels a closure."""

from flask_login import user_logged_in

from ..web import panels
from . import api, mails, rules, views
from . import models as _models  # noqa: F401  (tables for create_all and Alembic)
from . import tasks as _tasks  # noqa: F401  (registers its jobs)


def init_app(app):
    app.config.setdefault("DATA_EXPORT_DAYS", 7)
    app.config.setdefault("ACCOUNT_CLOSE_GRACE_DAYS", 14)
    app.config.setdefault("ORDER_RETENTION_DAYS", 3 * 365)
    app.config.setdefault("RATELIMIT_DATA_EXPORT", "5 per day")
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    mails.register()
    rules.declare_community()
    panels.register(app, "settings", settings_panel, personal=False)
    user_logged_in.connect(views.on_sign_in, app)


def settings_panel(user, viewer):
    if viewer is None or not viewer.is_authenticated or viewer.id != user.id:
        return None
    return "community/datarights/_settings_panel.html", {}
