"""Campaigns and orders in the app: blueprints, CLI, template helpers, page panels."""

from flask import url_for
from werkzeug.routing import BuildError

from community.latest import feed as latest_feed
from community.web import pagecache
from community.web import panels as community_panels

from ..funnel.views import bp as funnel_bp
from ..money import money
from ..orders import panels as order_panels
from ..orders.api import bp as orders_api
from ..orders.views import bp as orders_bp
from ..orders.views import new_idempotency_key
from . import latest, panels, widget
from .api import bp as campaigns_api
from .labels import CAMPAIGN_STATES, CHARGE_MODES, ORDER_SOURCES, ORDER_STATES, PAYMENT_STATUSES
from .views import bp as campaigns_bp
from .views import cli


def product_url(slug, **args):
    try:
        return url_for("catalog.show", slug=slug, **args)
    except BuildError:  # the catalog blueprint is not registered (some unit tests)
        return "#"


def init_app(app):
    app.register_blueprint(campaigns_bp)
    latest_feed.register_source("campaign", latest.campaigns_opening)
    pagecache.register_renderer("campaign_widget", widget.widget_holes)
    pagecache.register_renderer("ref_code", order_panels.ref_code_holes)
    app.register_blueprint(orders_bp)
    app.register_blueprint(funnel_bp)
    app.register_blueprint(campaigns_api)
    app.register_blueprint(orders_api)
    app.cli.add_command(cli)
    app.add_template_filter(money)
    app.add_template_global(product_url)
    app.add_template_global(new_idempotency_key)
    app.add_template_global(CAMPAIGN_STATES, "CAMPAIGN_STATES")
    app.add_template_global(ORDER_STATES, "ORDER_STATES")
    app.add_template_global(ORDER_SOURCES, "ORDER_SOURCES")
    app.add_template_global(PAYMENT_STATUSES, "PAYMENT_STATUSES")
    app.add_template_global(CHARGE_MODES, "CHARGE_MODES")
    community_panels.register(app, "idea", panels.on_idea, personal=False)
    community_panels.register(app, "thread", panels.on_thread, personal=False)
    community_panels.register(app, "profile", order_panels.on_profile, personal=False)
    community_panels.register(app, "idea", order_panels.on_idea, personal=False)
