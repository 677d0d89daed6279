"""Wire the Latest feed into an app: its page, the home page's global, the community's sources."""

from ..web import pagecache
from . import feed, mine
from .views import bp, latest_feed


def init_app(app):
    feed.register_community_sources()
    app.register_blueprint(bp)
    app.add_template_global(latest_feed)
    pagecache.register_renderer("latest_mine", mine.latest_mine_holes)
