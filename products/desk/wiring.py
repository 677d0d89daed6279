from flask_babel import lazy_gettext as _l

from community.web.manage import add_entry

from .views import bp


def init_app(app):
    app.register_blueprint(bp)
    add_entry(app, "store", "store_desk.index", _l("Products and campaigns"), testid="products")
    add_entry(app, "store", "catalog_staff.ready", _l("New product from ideas"), testid="new-product")
