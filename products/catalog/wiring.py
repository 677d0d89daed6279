"""Wire the catalog into an app: blueprints, page panels, the view counter, CLI."""

from community.roadmap import links as roadmap_links
from community.web import pagecache
from community.web import panels as community_panels

from . import choosing, cocreation, page, panels, participation, roadmap, views_counter
from . import search as catalog_search
from .api import bp as api_bp
from .cli import cli
from .labels import STAGE_NAMES
from .staff_views import bp as staff_bp
from .variant_views import bp as variants_bp
from .views import bp


def init_app(app):
    # Joining a product without a contribution to it needs this level
    # (FANFORGE_COCREATOR_MIN_LEVEL); see cocreation.py.
    app.config.setdefault("COCREATOR_MIN_LEVEL", cocreation.DEFAULT_MIN_LEVEL)
    app.register_blueprint(bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(variants_bp)
    app.register_blueprint(api_bp)
    community_panels.register(app, "idea", panels.idea_panel, personal=False)
    community_panels.register(app, "thread", panels.thread_panel, personal=False)
    roadmap_links.register(app, products=roadmap.products_of, cocreators=roadmap.cocreators_of)
    views_counter.init_app(app)
    pagecache.register_hit_action("product_view", views_counter.record)
    pagecache.register_renderer("product_polls", page.polls_holes)
    pagecache.register_predicate("cocreator", participation.cocreating)
    pagecache.register_renderer("product_views", views_counter.views_holes)
    app.add_template_global(STAGE_NAMES, "STAGE_NAMES")
    app.add_template_filter(choosing.texts_of, "personalisation")
    app.cli.add_command(cli)
    catalog_search.init_app(app)
