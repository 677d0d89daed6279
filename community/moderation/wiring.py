"""Wire moderation into an app: the staff pages, the API route, the write guard, the
notice hole, and the staff audit log's page (community/audit)."""

from ..audit.views import bp as audit_bp
from ..web import pagecache
from . import api, guard
from . import tasks as _tasks  # noqa: F401  (registers its periodic job)
from .views import bp


def init_app(app):
    app.register_blueprint(bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(api.bp)
    # After the API's token hook (community/api inserts it first), so current_user is
    # the token's user under /api/ too.
    app.before_request(guard.refuse_suspended_writes)
    pagecache.register_renderer("sanction_notice", guard.notice_hole)
