"""Wire the community into an app: extensions, blueprints, error pages, CLI."""

from flask import current_app
from flask_babel import lazy_gettext as _l

from . import api, cards
from .accounts import follows
from .accounts import mails as account_mails
from .accounts import service as accounts
from .accounts import tasks as _account_tasks  # noqa: F401  (registers its periodic job)
from .accounts.cli import users
from .accounts.models import User
from .accounts.twofactor_views import bp as twofactor_bp
from .accounts.views import bp as accounts_bp
from .avatars import wiring as avatars
from .circles import wiring as circles
from .composer import listeners as composer_listeners
from .composer.views import bp as composer_bp
from .datarights import wiring as datarights
from .engagement import wiring as engagement
from .forum import replybox
from .forum import service as forum
from .forum.models import Thread
from .forum.staff_views import bp as staff_bp
from .forum.views import bp as forum_bp
from .gatekeeping import wiring as gatekeeping
from .ideas import api as ideas_api
from .ideas import service as ideas
from .ideas import views as ideas_views
from .ideas.labels import STATUS_NAMES
from .ideas.models import Idea
from .kernel import compiled, connections, jobs, signals
from .kernel import tasks as _database_tasks  # noqa: F401  (the SQLite log's checkpoint)
from .kernel.extensions import babel, csrf, db, limiter, login_manager, migrate
from .latest import wiring as latest
from .mail import wiring as mail
from .media import wiring as media
from .messages import wiring as messages
from .moderation import wiring as moderation
from .notifications import listeners as notification_listeners
from .notifications import views as notifications_views
from .reading import wiring as reading
from .reports import wiring as reports
from .roadmap import wiring as roadmap
from .rounds import api as rounds_api
from .rounds import tasks as _round_tasks  # noqa: F401
from .rounds import views as rounds_views
from .search import tasks as _search_tasks  # noqa: F401
from .search import wiring as search
from .viewer import header, readers, shell, social, votes_left
from .web import (
    errorpages,
    health,
    i18n,
    manage,
    pagecache,
    panels,
    securityheaders,
    site,
    slug_preview,
    templating,
)

BLUEPRINTS = (forum_bp, accounts_bp, twofactor_bp, staff_bp, i18n.bp, ideas_views.bp, rounds_views.bp,
              notifications_views.bp, health.bp, composer_bp)


def init_app(app):
    pagecache.init_app(app)  # first: its after_request must run after every other one
    securityheaders.init_app(app)  # page-cache hits get them too: after_request runs on hits
    site.init_app(app)
    errorpages.install_converters(app)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path) + "/translations")
    db.init_app(app)
    connections.init_app(app)
    compiled.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path) + "/migrations")
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale,
                    default_timezone=app.config["TIMEZONE"])

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(readers.load_user)
    signals.locale_chosen.connect(accounts.set_locale)

    errorpages.init_app(app)
    templating.init_app(app)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    api.init_app(app)
    app.register_blueprint(ideas_api.bp)
    app.register_blueprint(rounds_api.bp)
    roadmap.init_app(app)
    app.add_template_global(STATUS_NAMES, "STATUS_NAMES")
    notifications_views.init_app(app)
    notification_listeners.connect()
    composer_listeners.connect()
    forum.register_owner_url("idea", ideas_views.idea_url_for_thread)
    engagement.init_app(app)
    search.init_app(app)
    jobs.init_app(app)
    mail.init_app(app)
    account_mails.register()
    circles.init_app(app)
    messages.init_app(app)
    moderation.init_app(app)
    reports.init_app(app)
    gatekeeping.init_app(app)
    media.init_app(app)
    datarights.init_app(app)
    avatars.init_app(app)
    reading.init_app(app)
    latest.init_app(app)
    cards.register_community_kinds()
    social.init_app(app)
    header.init_app(app)
    replybox.init_app(app)
    shell.init_app(app)
    app.register_blueprint(shell.bp)
    _register_holes()
    _register_manage_menu(app)
    app.register_blueprint(slug_preview.bp)
    app.cli.add_command(users)
    app.cli.add_command(rounds_views.cli)


def _favicon():
    """Browsers ask for /favicon.ico whatever a page links: the icon, not the 404 page,
    whose response would carry the session as it was when asked and so could undo a
    sign-in answered meanwhile."""
    return current_app.send_static_file("favicon.svg")


def _register_manage_menu(app):
    """The community's staff pages in the Manage menu (the store adds its own)."""
    manage.init_app(app)
    for group, endpoint, label, admin, testid in (
            ("community", "rounds.index", _l("Rounds"), False, "rounds"),
            ("community", "rounds.choose_board", _l("New round"), False, "new-round"),
            ("community", "report_queue.index", _l("Reports"), False, "reports"),
            ("community", "gatekeeping.queue_page", _l("Approval queue"), False, "approvals"),
            ("community", "staff.log", _l("Moderation log"), False, "moderation-log"),
            ("community", "gatekeeping.watched_words", _l("Watched words"), False, "watched-words"),
            ("community", "roadmap.new_release", _l("New release note"), False, "new-release"),
            ("system", "jobs.index", _l("Jobs"), False, "jobs"),
            ("system", "audit.log", _l("Audit log"), False, "audit"),
            ("system", "staff.boards", _l("Boards"), True, "boards")):
        manage.add_entry(app, group, endpoint, label, admin=admin, testid=testid)


def _register_holes():
    """What the community's templates leave to be filled in for whoever is looking."""
    pagecache.register_renderer("account_nav", header.account_nav)
    pagecache.register_renderer("tab_badge", shell.tab_badge_holes)
    pagecache.register_renderer("social_proof", social.render_holes)
    pagecache.register_renderer("panels", panels.render_holes)
    pagecache.register_renderer("votes_left", votes_left.votes_left_holes)
    pagecache.register_renderer("manage_menu", manage.menu_hole)
    for slot, model in (("idea", Idea), ("thread", Thread), ("profile", User)):
        panels.register_model(slot, model)
    pagecache.register_predicate(
        "voted", lambda user, args: ideas.voted_ids(user, [int(a) for a in args]))
    pagecache.register_predicate(
        "liked", lambda user, args: forum.liked_post_ids(user, [int(a) for a in args]))
    pagecache.register_predicate(
        "is_me", lambda user, args: {str(user.id)} if user.is_authenticated else ())
    pagecache.register_predicate("following", follows.following_holes)
