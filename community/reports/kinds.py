"""The community's report targets: posts (replies anywhere, circles' included), threads
(a forum or circle thread with its opening post), ideas, profiles and conversation messages.

Who may see one is asked of its own package (forum.get_post / get_thread with the circle
hook, ideas.get_idea, messages.access) and nowhere else. What staff see is what the first
reporter could see: the reported thing, and for a message the few around it that the
reporter could read (not a group's history from before they joined).
"""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..accounts.models import User
from ..forum import service as forum
from ..forum.models import Board, Post, Thread
from ..ideas import service as ideas
from ..ideas.models import Idea
from ..kernel import signals
from ..kernel.errors import NotFound
from ..kernel.extensions import db
from ..messages import access as messages
from ..messages.models import Message, Participant
from ..notifications.fanout import excerpt_of_html
from . import targets
from .targets import Target

MESSAGE_CONTEXT = 5  # messages shown before and after a reported one


def _thread_url(thread):
    if forum.owner_decides_readers(thread.id):
        return None  # a circle's: staff have no way in (circles/access.py)
    return forum.owner_url(thread) or url_for("forum.thread", thread_id=thread.id)


# ---- posts ------------------------------------------------------------------

def find_post(post_id, viewer):
    post = forum.get_post(post_id, viewer)
    if post.deleted_at is not None:
        raise NotFound(_("No such post."))
    return Target("post", post.id, post.author_id, excerpt_of_html(post.body_html),
                  lambda: url_for("forum.post", post_id=post.id))


def post_context(post_id, _reporter_id):
    post = db.session.get(Post, post_id)
    thread = db.session.get(Thread, post.thread_id)
    return {"title": thread.title, "author": post.author, "body_html": post.body_html,
            "created_at": post.created_at, "hidden": post.hidden,
            "url": _thread_url(thread) and url_for("forum.post", post_id=post.id)}


def set_post_hidden(post_id, hidden):
    changed = db.session.execute(update(Post).where(Post.id == post_id, Post.hidden != hidden)
                                 .values(hidden=hidden).returning(Post.id)).first()
    if changed:
        signals.content_moderated.send(None, kind="post", id=post_id, hidden=hidden)
    return changed is not None


def edit_post_url(post_id):
    return url_for("forum.edit_post", post_id=post_id)


# ---- threads and ideas (a thread with its opening post) ----------------------

def find_thread(thread_id, viewer):
    thread = forum.get_thread(thread_id, viewer)
    return Target("thread", thread.id, thread.author_id, thread.title,
                  lambda: forum.owner_url(thread) or url_for("forum.thread",
                                                             thread_id=thread.id))


def thread_context(thread_id, _reporter_id):
    thread = db.session.get(Thread, thread_id)
    opening = forum.first_post(thread)
    return {"title": thread.title, "author": thread.author,
            "body_html": opening.body_html if opening else "", "created_at": thread.created_at,
            "hidden": thread.hidden, "url": _thread_url(thread)}


def set_thread_hidden(thread_id, hidden):
    thread = db.session.execute(
        update(Thread).where(Thread.id == thread_id, Thread.hidden != hidden)
        .values(hidden=hidden).returning(Thread.board_id, Thread.listed)).first()
    if thread is None:
        return False
    if thread.listed:  # board thread counts show what fans can see, as forum/moderation.py
        db.session.execute(update(Board).where(Board.id == thread.board_id)
                           .values(thread_count=Board.thread_count + (-1 if hidden else 1)))
    signals.content_moderated.send(None, kind="thread", id=thread_id, hidden=hidden)
    return True


def edit_thread_url(thread_id):
    opening = db.session.scalar(select(Post.id).where(Post.thread_id == thread_id,
                                                      Post.position == 0))
    return url_for("forum.edit_post", post_id=opening) if opening else None


def find_idea(idea_id, viewer):
    idea = ideas.get_idea(idea_id, viewer)
    return Target("idea", idea.id, idea.author_id, idea.title,
                  lambda: url_for("ideas.show", idea_id=idea.id))


def _thread_of_idea(idea_id):
    return db.session.scalar(select(Idea.thread_id).where(Idea.id == idea_id))


def idea_context(idea_id, reporter_id):
    return thread_context(_thread_of_idea(idea_id), reporter_id)


def set_idea_hidden(idea_id, hidden):
    return set_thread_hidden(_thread_of_idea(idea_id), hidden)


def edit_idea_url(idea_id):
    return edit_thread_url(_thread_of_idea(idea_id))


# ---- profiles -----------------------------------------------------------------

def find_profile(user_id, _viewer):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return Target("profile", user.id, user.id, user.username,
                  lambda: url_for("accounts.profile", username=user.username))


def profile_context(user_id, _reporter_id):
    user = db.session.get(User, user_id)
    return {"title": user.username, "author": user, "body_html": "", "created_at": user.created_at,
            "hidden": False, "url": url_for("accounts.profile", username=user.username)}


# ---- conversation messages ------------------------------------------------------

def find_message(message_id, viewer):
    message, _row = messages.get_message(message_id, viewer)
    if message.hidden:
        raise NotFound(_("No such message."))
    conversation_id, anchor = message.conversation_id, f"m{message.id}"
    return Target("message", message.id, message.author_id,
                  excerpt_of_html(message.body_html) or _("(a shared card)"),
                  lambda: url_for("messages.show", conversation_id=conversation_id,
                                  _anchor=anchor))


def message_context(message_id, reporter_id):
    """The message with up to MESSAGE_CONTEXT either side that the reporter could read."""
    message = db.session.get(Message, message_id)
    since = db.session.scalar(select(Participant.since_message_id).where(
        Participant.conversation_id == message.conversation_id,
        Participant.user_id == reporter_id))
    base = select(Message).where(Message.conversation_id == message.conversation_id,
                                 Message.id > (message.id - 1 if since is None else since))
    before = db.session.scalars(base.where(Message.id < message.id)
                                .order_by(Message.id.desc()).limit(MESSAGE_CONTEXT)).all()
    after = db.session.scalars(base.where(Message.id > message.id)
                               .order_by(Message.id).limit(MESSAGE_CONTEXT)).all()
    return {"title": _("A message in a conversation"), "author": message.author,
            "body_html": message.body_html, "created_at": message.created_at,
            "hidden": message.hidden, "url": None,
            "around": [*reversed(before), message, *after], "reported_id": message.id}


def set_message_hidden(message_id, hidden):
    return db.session.execute(
        update(Message).where(Message.id == message_id, Message.hidden != hidden)
        .values(hidden=hidden).returning(Message.id)).first() is not None


def register():
    targets.register("post", _l("Reply"), find_post, post_context, set_post_hidden,
                     edit_post_url)
    targets.register("thread", _l("Thread"), find_thread, thread_context, set_thread_hidden,
                     edit_thread_url)
    targets.register("idea", _l("Idea"), find_idea, idea_context, set_idea_hidden,
                     edit_idea_url)
    targets.register("profile", _l("Profile"), find_profile, profile_context)
    targets.register("message", _l("Message"), find_message, message_context,
                     set_message_hidden)
