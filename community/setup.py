"""Wire the community into an app: extensions, blueprints, error pages, CLI."""

from flask_babel import lazy_gettext as _l

from . import errorpages, i18n, templating
from .accounts import service as accounts
from .accounts.cli import users
from .accounts.views import bp as accounts_bp
from .demo import demo
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .forum.staff_views import bp as staff_bp
from .forum.views import bp as forum_bp

BLUEPRINTS = (forum_bp, accounts_bp, staff_bp, i18n.bp)


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
    app.cli.add_command(users)
    app.cli.add_command(demo)
