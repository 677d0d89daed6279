"""Fulfilment in the app: the staff page and API, and the labels its templates show."""

from .api import bp as fulfilment_api
from .labels import FULFILMENT_STEPS, IMPORT_OUTCOMES
from .views import bp as fulfilment_bp


def init_app(app):
    app.register_blueprint(fulfilment_bp)
    app.register_blueprint(fulfilment_api)
    app.add_template_global(FULFILMENT_STEPS, "FULFILMENT_STEPS")
    app.add_template_global(IMPORT_OUTCOMES, "IMPORT_OUTCOMES")
