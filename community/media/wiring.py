"""Wire media into an app: its table, the serving route and its settings."""

from . import models as _models  # noqa: F401  (the table, for create_all and Alembic)
from . import s3, service
from . import tasks as _tasks  # noqa: F401  (registers the retried deletes)
from .cli import media
from .views import bp


def init_app(app):
    # {level: images per item from that level up}; FANFORGE_MEDIA_IMAGES_BY_LEVEL as JSON.
    app.config.setdefault("MEDIA_IMAGES_BY_LEVEL", dict(service.DEFAULT_LEVEL_LIMITS))
    app.config.setdefault("MEDIA_STORAGE", "local")
    s3.register()
    app.register_blueprint(bp)
    app.cli.add_command(media)
