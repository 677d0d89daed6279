"""Points and medals follow the domain signals; listeners run inside the cause's transaction."""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..forum.models import Post, PostLike, Thread
from ..forum.service import POST_GUARDS, register_post_guard
from ..ideas.models import Idea, Vote
from ..kernel import signals
from ..kernel.database import utcnow
from ..kernel.errors import ValidationError
from ..kernel.extensions import db
from ..web.markdown import has_links_or_images
from . import ledger, medals


def on_thread(thread, post, **_kw):
    if thread.kind == "discussion":
        ledger.award(thread.author_id, "thread", thread.id, thread.board_id, thread.created_at)


def on_post(post, thread, **_kw):
    if post.position > 0:
        ledger.award(post.author_id, "reply", post.id, thread.board_id, post.created_at)


def on_idea(idea, **_kw):
    ledger.award(idea.author_id, "idea", idea.id, idea.board_id, idea.created_at)
    medals.check(idea.author_id, "first_idea")


def on_vote(idea, user, voted, **_kw):
    if user.id == idea.author_id:
        return  # nothing is earned from votes on one's own idea
    if voted:
        ledger.award(user.id, "vote_cast", idea.id, idea.board_id, utcnow())
        ledger.award(idea.author_id, "vote_received", idea.id, idea.board_id, utcnow(), user.id)
    else:
        ledger.settle_source(user.id, "vote_cast", f"vote:{idea.id}")
        ledger.settle_source(idea.author_id, "vote_received", f"voted:{idea.id}:{user.id}")


def on_like(post, user, liked, **_kw):
    if user.id == post.author_id or post.hidden:
        return  # hidden posts earn nothing; restoring one settles its likes
    if liked:
        board_id = db.session.scalar(select(Thread.board_id).where(Thread.id == post.thread_id))
        ledger.award(post.author_id, "like_received", post.id, board_id, utcnow(), user.id)
    else:
        ledger.settle_source(post.author_id, "like_received", f"liked:{post.id}:{user.id}")


def on_status(idea, change, **_kw):
    if change.to_status in ("planned", "shipped") and change.from_status != change.to_status:
        ledger.award(idea.author_id, f"idea_{change.to_status}", idea.id, idea.board_id,
                     change.created_at)
    if change.to_status == "shipped":
        medals.check(idea.author_id, "first_shipped")


def on_registered(user, **_kw):
    medals.check(user.id, "founding_fan")


def on_moderated(actor, kind, id, hidden, **_kw):
    """Hidden content gives its points back; restored content earns them again."""
    if kind == "thread":
        _resettle(*_thread_activity(id))
    elif kind == "post":
        _resettle(*_post_activity([id]))


def on_deleted(post, **_kw):
    _resettle(*_post_activity([post.id]))


def _post_activity(post_ids):
    """(user, kind, moment) of everything that earned points through these posts."""
    rows = [(a, "reply", t) if pos > 0 else (a, "thread", t) for a, t, pos in db.session.execute(
        select(Post.author_id, Post.created_at, Post.position).where(Post.id.in_(post_ids)))]
    rows += [(a, "like_received", t) for a, t in db.session.execute(
        select(Post.author_id, PostLike.created_at).join(Post, Post.id == PostLike.post_id)
        .where(PostLike.post_id.in_(post_ids)))]
    return (rows,)


def _thread_activity(thread_id):
    thread = db.session.get(Thread, thread_id)
    post_ids = db.session.scalars(select(Post.id).where(Post.thread_id == thread_id)).all()
    (rows,) = _post_activity(post_ids)
    if thread.kind == "discussion":
        rows.append((thread.author_id, "thread", thread.created_at))
    idea = db.session.scalar(select(Idea).where(Idea.thread_id == thread_id))
    if idea is not None:
        rows.append((idea.author_id, "idea", idea.created_at))
        for voter, moment in db.session.execute(select(Vote.user_id, Vote.created_at)
                                                .where(Vote.idea_id == idea.id)):
            rows += [(voter, "vote_cast", moment), (idea.author_id, "vote_received", moment)]
    return (rows,)


def _resettle(rows):
    for user_id, kind, day in {(u, k, ledger.day_of(t)) for u, k, t in rows}:
        ledger.settle(user_id, kind, day)


def links_need_a_level(author, body):
    """Spam guard: links and images need a minimum level (staff are exempt)."""
    needed = current_app.config["LINKS_MIN_LEVEL"]
    if author.is_staff or author.level.number >= needed or not has_links_or_images(body):
        return
    raise ValidationError(_("Links and images need level %(n)d; you are level %(level)d. "
                            "Take part a little more first!", n=needed, level=author.level.number),
                          field="body", code="level_too_low")


def connect():
    # Module functions, not lambdas: blinker keeps one connection per receiver,
    # so building several apps (the tests do) never doubles an award.
    signals.thread_created.connect(on_thread, weak=False)
    signals.post_created.connect(on_post, weak=False)
    signals.idea_created.connect(on_idea, weak=False)
    signals.idea_voted.connect(on_vote, weak=False)
    signals.post_liked.connect(on_like, weak=False)
    signals.idea_status_changed.connect(on_status, weak=False)
    signals.user_registered.connect(on_registered, weak=False)
    signals.content_moderated.connect(on_moderated, weak=False)
    signals.post_deleted.connect(on_deleted, weak=False)
    if links_need_a_level not in POST_GUARDS:
        register_post_guard(links_need_a_level)
