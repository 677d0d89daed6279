"""Wire read marks into an app: the table, the holes and the lists' last posters."""

from ..web import pagecache
from . import holes, service
from . import models as _models  # noqa: F401  (the table, for create_all and Alembic)


def last_thread_posts(threads):
    """Template global: {thread id: LastPost} for a list's rows."""
    return service.last_posts("thread", [thread.id for thread in threads])


def last_idea_posts(ideas):
    """Template global: {idea id: LastPost} for a list's rows."""
    return service.last_posts("idea", [idea.id for idea in ideas])


def init_app(app):
    pagecache.register_renderer("read_mark", holes.read_mark_holes)
    pagecache.register_renderer("unread", holes.unread_holes)
    pagecache.register_renderer("unread_idea", holes.unread_idea_holes)
    app.add_template_global(last_thread_posts)
    app.add_template_global(last_idea_posts)
