"""Notifications and auto-follows, written by listeners on the domain signals.

Every listener runs inside the transaction of the use case that sent the
signal, so what it writes commits or rolls back with its cause; none commits.
Fan-out to followers or voters is one INSERT ... SELECT per kind (fanout.py).
"""

from sqlalchemy import delete, exists, func, select, union

from ..accounts import follows
from ..forum.models import Thread
from ..ideas.models import Idea, StatusChange, Vote
from ..kernel import signals
from ..kernel.extensions import db
from ..mail.notify import fan_out_and_mail, notify_and_mail
from . import feed
from .fanout import excerpt_of_html, mentioned_names, one, users_named
from .models import Notification

# Thread kinds anyone may read. Circle threads are left out: community/circles tells
# their members itself, so a notice never carries a circle's words to a non-member.
PUBLIC_THREAD_KINDS = ("discussion", "idea", "product")
STATUS_KINDS = ("idea_status", "idea_response")


def connect():
    """Connect every listener; blinker ignores a second connection of the same one."""
    signals.post_created.connect(on_post_created)
    signals.idea_created.connect(on_idea_created)
    signals.idea_voted.connect(on_idea_voted)
    signals.idea_status_changed.connect(on_idea_status_changed)
    signals.idea_merged.connect(on_idea_merged)
    signals.round_opened.connect(on_round_opened)
    signals.round_ideas_accepted.connect(on_round_ideas_accepted)
    feed.connect()


def _idea_id_of(thread):
    if thread.kind != "idea":
        return None
    return db.session.scalar(select(Idea.id).where(Idea.thread_id == thread.id))


def on_post_created(post, thread, **_):
    # An idea's opening post comes before its idea row: idea_created handles that one.
    idea_id = _idea_id_of(thread) if post.position > 0 else None
    about = {"actor_id": post.author_id, "target_type": "post", "target_id": post.id,
             "thread_id": thread.id, "post_id": post.id, "idea_id": idea_id,
             "title": thread.title, "excerpt": excerpt_of_html(post.body_html)}
    replied_to = None
    if post.position > 0:
        if idea_id is not None:
            follows.follow_quietly(post.author_id, "idea", idea_id)
        # Other kinds' owners notify their own readers (circles: members only).
        if thread.author_id != post.author_id and thread.kind in PUBLIC_THREAD_KINDS:
            replied_to = thread.author_id
            notify_and_mail("reply", replied_to, **about)
        feed.reply_added(post, thread, idea_id)
    names = mentioned_names(post.body) if thread.kind in PUBLIC_THREAD_KINDS else []
    if names:
        # The thread's author already heard of this post as a reply: one notice is enough.
        fan_out_and_mail("mention", users_named(names), exclude=(post.author_id, replied_to),
                         **about)


def on_idea_created(idea, **_):
    follows.follow_quietly(idea.author_id, "idea", idea.id)
    fan_out_and_mail("new_idea", follows.followers_of("user", idea.author_id),
                     exclude=(idea.author_id,), actor_id=idea.author_id, target_type="idea",
                     target_id=idea.id, idea_id=idea.id, thread_id=idea.thread_id,
                     title=idea.title)


def on_idea_voted(idea, user, voted, **_):
    # Withdrawing a vote keeps the follow: unfollowing is its own, explicit choice.
    if voted:
        follows.follow_quietly(user.id, "idea", idea.id)


def on_idea_status_changed(idea, change, actor, **_):
    kind = "idea_status" if change.from_status != change.to_status else "idea_response"
    fan_out_and_mail(kind, follows.followers_of("idea", idea.id), exclude=(actor.id,),
                     actor_id=actor.id, target_type="status_change", target_id=change.id,
                     idea_id=idea.id, thread_id=idea.thread_id, title=idea.title,
                     detail=change.to_status, excerpt=excerpt_of_html(change.response_html))


def on_idea_merged(source, target, actor, change, **_):
    """Tell A's followers and author that A now lives on in B; they follow B from now on."""
    follows.copy_followers("idea", source.id, target.id)
    people = union(follows.followers_of("idea", source.id), one(source.author_id))
    fan_out_and_mail("idea_merged", people, exclude=(actor.id,), actor_id=actor.id,
                     target_type="idea", target_id=target.id, idea_id=source.id,
                     thread_id=source.thread_id, title=source.title, detail=target.title,
                     excerpt=excerpt_of_html(change.response_html))


def on_round_opened(round_, **_):
    fan_out_and_mail("round_opened", follows.followers_of("board", round_.board_id),
                     exclude=(round_.created_by_id,), actor_id=round_.created_by_id,
                     target_type="round", target_id=round_.id, title=round_.title,
                     excerpt=excerpt_of_html(round_.brief_html))


def on_round_ideas_accepted(round_, ideas, **_):
    """Every voter of an accepted idea hears it was accepted from the round.

    The same transaction just told each idea's followers (most voters among them)
    of its new status, as the idea's latest change; for voters this notice
    replaces that one, so each hears once.
    """
    idea_ids = [idea.id for idea in ideas]
    latest = select(func.max(StatusChange.id)).where(StatusChange.idea_id.in_(idea_ids)) \
        .group_by(StatusChange.idea_id)
    db.session.execute(delete(Notification).where(
        Notification.kind.in_(STATUS_KINDS), Notification.target_type == "status_change",
        Notification.target_id.in_(latest),
        exists().where(Vote.idea_id == Notification.idea_id, Vote.user_id == Notification.user_id),
    ))
    # One acceptance: one staff member and one response for all its ideas.
    actor_id, response_html = db.session.execute(
        select(StatusChange.actor_id, StatusChange.response_html)
        .where(StatusChange.id.in_(latest)).limit(1)).one()
    voters = (
        select(Vote.user_id.label("user_id"), Idea.id.label("idea_id"),
               Idea.thread_id.label("thread_id"), Thread.title.label("title"))
        .join(Idea, Idea.id == Vote.idea_id).join(Thread, Thread.id == Idea.thread_id)
        .where(Vote.idea_id.in_(idea_ids))
    )
    fan_out_and_mail("round_accepted", voters, exclude=(actor_id,), actor_id=actor_id,
                     target_type="round", target_id=round_.id, detail=round_.title,
                     excerpt=excerpt_of_html(response_html))
