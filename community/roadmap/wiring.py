"""Wire the roadmap and the changelog into an app: pages, API, feeds and panels."""

from ..web import feeds as web_feeds
from ..web import panels
from . import feeds
from . import panels as roadmap_panels
from .api import bp as api_bp
from .labels import CREDIT_NAMES
from .views import bp


def init_app(app):
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    web_feeds.init_app(app)
    web_feeds.register(app, "ideas", feeds.new_ideas)
    web_feeds.register(app, "changes", feeds.status_changes)
    web_feeds.register(app, "releases", feeds.release_notes)
    panels.register(app, "shipped", roadmap_panels.shipped_panel, personal=False)
    panels.register(app, "profile", roadmap_panels.profile_panel, personal=False)
    panels.register(app, "idea", roadmap_panels.idea_panel, personal=False)
    app.add_template_global(CREDIT_NAMES, "CREDIT_NAMES")
