"""Notices about circle content, for current members only.

The notifications package leaves circle threads alone (they are not a public kind); this
module tells the people who should hear, each of them a member at that moment: a thread's
author of a reply, members @mentioned in a post, a fan promoted off a meetup's waiting
list. A notice carries a title and an excerpt, so leaving (or being removed) deletes the
leaver's notices about the circle in the same transaction: from then on nothing of a
closed circle shows to them, and reading the bell stays one small query with no join.
"""

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update

from ..accounts.models import User
from ..forum.models import Post
from ..kernel import signals
from ..kernel.extensions import db
from ..mail.notify import fan_out_and_mail
from ..notifications.fanout import excerpt_of_html, mentioned_names
from ..notifications.models import Notification
from .models import Circle, CircleMember, CircleThread

THREAD_KIND = "circle"


def connect():
    signals.post_created.connect(on_post_created)


def _members(circle_id):
    return select(CircleMember.user_id.label("user_id")).where(CircleMember.circle_id == circle_id)


def _circle_id(thread_id):
    return db.session.scalar(select(CircleThread.circle_id)
                             .where(CircleThread.thread_id == thread_id))


def on_post_created(post, thread, **_):
    # The opening post comes before its circle_threads row: the thread's creator calls
    # opening_post() once the row is there.
    if thread.kind != THREAD_KIND or post.position == 0:
        return
    circle_id = _circle_id(thread.id)
    if circle_id is None:
        return
    db.session.execute(update(Circle).where(Circle.id == circle_id)
                       .values(last_activity_at=post.created_at))
    about = _about(post, thread)
    replied_to = None
    if thread.author_id != post.author_id:
        replied_to = thread.author_id
        fan_out_and_mail("reply", _members(circle_id).where(CircleMember.user_id == replied_to),
                         **about)
    _mentions(post, circle_id, about, exclude=(post.author_id, replied_to))


def opening_post(post, thread, circle_id):
    _mentions(post, circle_id, _about(post, thread), exclude=(post.author_id,))


def _about(post, thread):
    return {"actor_id": post.author_id, "target_type": "post", "target_id": post.id,
            "thread_id": thread.id, "post_id": post.id, "title": thread.title,
            "excerpt": excerpt_of_html(post.body_html)}


def _mentions(post, circle_id, about, exclude):
    names = mentioned_names(post.body)
    if names:
        recipients = _members(circle_id).join(User, User.id == CircleMember.user_id) \
            .where(User.username_key.in_(names))
        fan_out_and_mail("mention", recipients, exclude=exclude, **about)


def promoted(event, user_id):
    """A place opened up at a meetup: its new holder hears, in their own language."""
    opening = db.session.scalar(select(Post.id).where(Post.thread_id == event.thread_id,
                                                      Post.position == 0))
    locale = db.session.scalar(select(User.locale).where(User.id == user_id)) or "en"
    with force_locale(locale):
        note = _("A place opened up: you are now going to this meetup.")
    fan_out_and_mail("event_promoted",
                     _members(event.circle_id).where(CircleMember.user_id == user_id),
                     target_type="post", target_id=opening, thread_id=event.thread_id,
                     post_id=opening, title=event.title, excerpt=note)


def purge(circle_id, user_id):
    """Inside a leave's transaction: the leaver's notices about this circle go."""
    threads = select(CircleThread.thread_id).where(CircleThread.circle_id == circle_id)
    db.session.execute(delete(Notification).where(
        Notification.user_id == user_id,
        or_(Notification.thread_id.in_(threads),
            (Notification.target_type == "circle") & (Notification.target_id == circle_id))))
