"""Wire the Latest feed into an app: its page, the home page's global, the community's sources."""

from . import feed
from .views import bp, latest_feed


def init_app(app):
    feed.register_community_sources()
    app.register_blueprint(bp)
    app.add_template_global(latest_feed)
