"""The address book in the app: its pages, API and the settings page's section."""

from community.web import panels as community_panels

from . import panels
from .api import bp as addresses_api
from .countries import country_name
from .service import addresses_of, order_address_lines
from .views import bp as addresses_bp


def init_app(app):
    app.register_blueprint(addresses_bp)
    app.register_blueprint(addresses_api)
    app.add_template_global(order_address_lines)
    app.add_template_global(addresses_of, "address_book")  # the pay step's picker
    app.add_template_global(country_name)
    # The settings page is its reader's own: drawn per request, never stored.
    community_panels.register(app, "settings", panels.on_settings, personal=False)
