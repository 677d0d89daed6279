"""Wire avatars into an app: the routes, the template global and the settings panel."""

from ..web import panels
from .templating import avatar
from .views import bp


def settings_panel(user, viewer):
    if viewer is None or not viewer.is_authenticated or viewer.id != user.id:
        return None
    return "community/avatars/_settings_panel.html", {}


def init_app(app):
    app.register_blueprint(bp)
    app.add_template_global(avatar)
    panels.register(app, "settings", settings_panel, personal=False)
