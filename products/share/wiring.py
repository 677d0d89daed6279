"""Share posters in the app: the blueprint, and the poster link on idea pages."""

from community.web import panels

from .views import bp


def idea_panel(idea, _viewer):
    """The same for every reader (the link resolves the sharer when followed); none on a
    hidden idea, which is not shared."""
    if idea.thread.hidden:
        return None
    return "products/share/_poster_link.html", {"endpoint": "posters.idea",
                                                "values": {"idea_id": idea.id}}


def init_app(app):
    app.register_blueprint(bp)
    panels.register(app, "idea", idea_panel, personal=False)
