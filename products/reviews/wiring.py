"""Wire reviews and questions into an app: pages, API, the product page's section and
its holes."""

from community.web import pagecache

from . import models as _models  # noqa: F401  (tables for create_all and Alembic)
from . import page, reports, service
from .api import bp as api_bp
from .views import bp


def _ints(args):
    return [int(a) for a in args]


def init_app(app):
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    app.add_template_global(page.product_reviews, "product_reviews")
    reports.register()
    pagecache.register_predicate(
        "review_helpful", lambda user, args: service.helpful_ids(user, _ints(args)))
    pagecache.register_predicate(
        "review_mine", lambda user, args: service.authored_ids(user, _ints(args)))
