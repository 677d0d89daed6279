"""Wire the store into an app: its tables, blueprints, CLI and the community hooks it uses."""

from . import cards, privacy
from .addresses import models as _address_models  # noqa: F401
from .addresses import wiring as addresses
from .campaigns import models as _campaign_models  # noqa: F401  (tables for create_all and Alembic)
from .campaigns import tasks as _campaign_tasks  # noqa: F401  (registers its periodic job)
from .campaigns import wiring as campaigns
from .catalog import engagement as catalog_engagement
from .catalog import models as _catalog_models  # noqa: F401
from .catalog import tasks as _catalog_tasks  # noqa: F401
from .catalog import wiring as catalog
from .desk import wiring as desk
from .fulfilment import wiring as fulfilment
from .notices import wiring as notices
from .orders import models as _order_models  # noqa: F401
from .payments import wiring as payments
from .reviews import wiring as reviews
from .share import wiring as share
from .trials import wiring as trials


def init_app(app):
    catalog.init_app(app)
    catalog_engagement.init_app(app)
    campaigns.init_app(app)
    desk.init_app(app)
    cards.init_app(app)
    payments.init_app(app)
    addresses.init_app(app)
    fulfilment.init_app(app)
    trials.init_app(app)
    share.init_app(app)
    notices.init_app(app)
    reviews.init_app(app)
    privacy.declare_store()
