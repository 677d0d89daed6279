"""Wire the store's notices into an app: kinds, audiences, listeners, pages, API, holes."""

from community.forum import service as forum
from community.web import feeds as web_feeds
from community.web import pagecache

from . import feeds, kinds, listeners, models, service  # models: the tables, for Alembic
from .api import bp as api_bp
from .views import bp, following_holes, updates_holes


def init_app(app):
    kinds.register()
    listeners.connect()
    forum.register_thread_access(models.BACKERS_THREAD_KIND, service.can_read_thread,
                                 service.guard_reply)
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    pagecache.register_predicate("product_following", following_holes)
    pagecache.register_renderer("backer_updates", updates_holes)
    web_feeds.register(app, feeds.KIND, feeds.backer_updates)
