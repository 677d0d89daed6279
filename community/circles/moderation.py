"""Circle moderators pin, lock and hide their circle's threads and hide posts.

The same flags and the same moderation log as the forum's staff tools (forum.moderation
.record writes the row in the action's transaction), and the same content_moderated
signal, so points, feeds and search react alike; only who may act differs.
"""

from flask_babel import gettext as _

from ..forum import moderation as forum_moderation
from ..forum.models import Post, Thread
from ..kernel import signals
from ..kernel.database import transaction
from ..kernel.errors import NotFound
from ..kernel.extensions import db
from . import access
from .models import CircleThread

THREAD_ACTIONS = {
    "pin": ("pinned", True), "unpin": ("pinned", False),
    "lock": ("locked", True), "unlock": ("locked", False),
    "hide": ("hidden", True), "unhide": ("hidden", False),
}


def _thread_in(circle_id, thread_id):
    linked = db.session.get(CircleThread, thread_id)
    thread = db.session.get(Thread, thread_id, populate_existing=True)
    if linked is None or thread is None or linked.circle_id != circle_id:
        raise NotFound(_("No such thread."))
    return thread


def thread_action(circle, actor, thread_id, action, reason=""):
    flag, value = THREAD_ACTIONS[action]
    with transaction():
        access.ensure_moderator(access.membership(circle.id, actor))
        thread = _thread_in(circle.id, thread_id)
        if getattr(thread, flag) == value:
            return thread
        setattr(thread, flag, value)
        forum_moderation.record(actor, action, "thread", thread.id, reason)
        if flag == "hidden":
            signals.content_moderated.send(actor, kind="thread", id=thread.id, hidden=value)
    return thread


def set_post_hidden(circle, actor, post_id, hidden, reason=""):
    with transaction():
        access.ensure_moderator(access.membership(circle.id, actor))
        post = db.session.get(Post, post_id, populate_existing=True)
        if post is None or post.position == 0:
            raise NotFound(_("No such post."))
        _thread_in(circle.id, post.thread_id)
        if post.hidden == hidden:
            return post
        post.hidden = hidden
        forum_moderation.record(actor, "hide" if hidden else "unhide", "post", post.id, reason)
        signals.content_moderated.send(actor, kind="post", id=post.id, hidden=hidden)
    return post

