"""Wire the community into an app: extensions, blueprints, error pages, CLI."""

from flask_babel import lazy_gettext as _l

from . import api, errorpages, i18n, templating
from .accounts import service as accounts
from .accounts.cli import users
from .accounts.views import bp as accounts_bp
from .demo import demo
from .engagement import setup as engagement
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .forum import service as forum
from .forum.staff_views import bp as staff_bp
from .forum.views import bp as forum_bp
from .ideas import api as ideas_api
from .ideas import views as ideas_views
from .ideas.labels import STATUS_NAMES
from .notifications import listeners as notification_listeners
from .notifications import views as notifications_views
from .rounds import api as rounds_api
from .rounds import views as rounds_views

BLUEPRINTS = (forum_bp, accounts_bp, staff_bp, i18n.bp, ideas_views.bp, rounds_views.bp,
              notifications_views.bp)


def init_app(app):
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path) + "/translations")
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path) + "/migrations")
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                    default_timezone=app.config["TIMEZONE"])

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(accounts.load_session_user)

    errorpages.init_app(app)
    templating.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    api.init_app(app)
    app.register_blueprint(ideas_api.bp)
    app.register_blueprint(rounds_api.bp)
    app.add_template_global(STATUS_NAMES, "STATUS_NAMES")
    notifications_views.init_app(app)
    notification_listeners.connect()
    forum.register_owner_url("idea", ideas_views.idea_url_for_thread)
    engagement.init_app(app)
    app.cli.add_command(users)
    app.cli.add_command(rounds_views.cli)
    app.cli.add_command(demo)
