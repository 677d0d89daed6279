"""Wire trials into an app: blueprints, mail kinds, the product page's list of trials."""

from . import mail
from . import models as _models  # noqa: F401  (tables for create_all and Alembic)
from . import tasks as _tasks  # noqa: F401  (registers its periodic job)
from .api import bp as api_bp
from .labels import TRIAL_STATUSES
from .service import trials_of_product
from .staff_views import bp as staff_bp
from .views import bp


def init_app(app):
    app.config.setdefault("TRIALS_REMINDER_DAYS", mail.DEFAULT_REMINDER_DAYS)
    app.register_blueprint(bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(api_bp)
    app.add_template_global(trials_of_product, "product_trials")
    app.add_template_global(TRIAL_STATUSES, "TRIAL_STATUSES")
    mail.register()
