"""A circle's threads: forum threads of kind "circle", unlisted, in one unlisted board.

Replies, likes, edits and rendering are the forum's own; this module only ties a thread to
its circle (circle_threads), lists a circle's threads and shares cards into them. The forum
asks access.can_read_thread before showing one (registered in wiring.py).
"""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import cards
from ..forum import service as forum
from ..forum.models import Board, Post, Thread
from ..forum.screening import screen
from ..kernel.database import insert_ignore, transaction, utcnow
from ..kernel.errors import NotFound, ValidationError
from ..kernel.extensions import db
from ..web.pagination import Page
from . import access, listeners
from .models import Circle, CircleCard, CircleMember, CircleThread, Event

THREAD_KIND = "circle"
# Not a slug an admin can type (they start with a letter or digit): never a real board.
BOARD_SLUG = "_circles"


def circles_board_id():
    """The unlisted board every circle thread sits in, made on first use (in the caller's
    transaction; the unique slug settles a race)."""
    found = db.session.scalar(select(Board.id).where(Board.slug == BOARD_SLUG))
    if found is None:
        insert_ignore(Board, slug=BOARD_SLUG, name="Circles", listed=False, position=0,
                      description="Threads of fan circles, read on each circle's page.",
                      created_at=utcnow())
        found = db.session.scalar(select(Board.id).where(Board.slug == BOARD_SLUG))
    return found


def add_circle_thread(circle_id, author, title, body, submit_token=None):
    """Inside the caller's transaction: a thread tied to its circle."""
    thread = forum.add_thread(circles_board_id(), author, title, body, submit_token,
                              kind=THREAD_KIND, listed=False)
    db.session.add(CircleThread(thread_id=thread.id, circle_id=circle_id))
    db.session.execute(update(Circle).where(Circle.id == circle_id).values(
        thread_count=Circle.thread_count + 1, last_activity_at=thread.created_at))
    return thread


def publish_circle_thread(circle_id, author, title, body, submit_token=None):
    """A member's new thread, in the caller's transaction (an approved one's too)."""
    access.ensure_can_post_in(access.membership(circle_id, author))
    thread = add_circle_thread(circle_id, author, title, body, submit_token)
    listeners.opening_post(forum.first_post(thread), thread, circle_id)
    return thread


def create_thread(circle, author, title, body, submit_token=None):
    """A member opens a thread in the circle; a resubmitted form returns the first one."""
    title, body = forum.check_title(title), forum.check_body(body)
    forum.ensure_can_post(author)
    access.ensure_can_post_in(access.membership(circle.id, author))  # before a hold
    fields = screen(author, "circle_thread", {"circle_id": circle.id, "title": title,
                                              "body": body}, submit_token)
    title, body = fields["title"], fields["body"]
    try:
        with transaction():
            if (post := forum.existing_submission(author.id, submit_token)) is not None:
                return db.session.get(Thread, post.thread_id)
            thread = publish_circle_thread(circle.id, author, title, body, submit_token)
    except IntegrityError:
        if (post := forum.existing_submission(author.id, submit_token)) is not None:
            return db.session.get(Thread, post.thread_id)
        raise
    return thread


def circle_threads(circle, viewer, page=1, per_page=20):
    """Pinned first, then latest activity; hidden ones only for the circle's moderators."""
    stmt = (select(Thread).join(CircleThread, CircleThread.thread_id == Thread.id)
            .where(CircleThread.circle_id == circle.id))
    if not access.is_moderator(access.membership(circle.id, viewer)):
        stmt = stmt.where(Thread.hidden.is_(False))
    rows = db.session.scalars(
        stmt.order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
        .limit(per_page + 1).offset((page - 1) * per_page)).all()
    return Page(items=rows[:per_page], page=page, per_page=per_page, has_next=len(rows) > per_page,
                total=circle.thread_count)


def get_thread(circle, thread_id, member):
    """A thread of this circle; moderators see hidden ones too (to restore them)."""
    thread = db.session.get(Thread, thread_id)
    linked = thread is not None and db.session.get(CircleThread, thread_id)
    if not linked or linked.circle_id != circle.id or (
            thread.hidden and not access.is_moderator(member)):
        raise NotFound(_("No such thread."))
    return thread


def thread_url(thread):
    """Where the forum sends a circle thread's readers: its circle's page for it, or the
    meetup's page when the thread is a meetup's discussion."""
    row = db.session.execute(
        select(Circle.slug, Event.id).join(CircleThread, CircleThread.circle_id == Circle.id)
        .outerjoin(Event, Event.thread_id == CircleThread.thread_id)
        .where(CircleThread.thread_id == thread.id)).first()
    if row is None:
        return None
    if row.id is not None:
        return url_for("circle_events.event", slug=row.slug, event_id=row.id)
    return url_for("circle_threads.thread", slug=row.slug, thread_id=thread.id)


# ---- cards shared in circle threads ------------------------------------------

def share(thread_id, sharer, kind, target_id, comment=""):
    """Share a card as a reply in a circle thread; returns the post."""
    forum.ensure_can_post(sharer)
    cards.check_shareable(kind, target_id, sharer)
    body = forum.check_body(comment or _("Shared a card."))
    body = screen(sharer, "card", {"thread_id": thread_id, "body": body})["body"]
    sharer_id = sharer.id
    with transaction():
        circle = access.circle_of_thread(thread_id)
        thread = db.session.get(Thread, thread_id)
        if circle is None or thread is None or not forum.can_see_thread(thread, sharer):
            raise NotFound(_("No such thread."))
        access.ensure_can_post_in(access.membership(circle.id, sharer))
        post = forum.add_reply(thread_id, sharer, body)
        db.session.add(CircleCard(post_id=post.id, circle_id=circle.id, kind=kind,
                                  target_id=target_id, sharer_id=sharer_id))
    return post


def cards_of(post_ids):
    """{post_id: (kind, target_id)} for the posts of a page, in one query."""
    if not post_ids:
        return {}
    return {r.post_id: (r.kind, r.target_id) for r in db.session.execute(
        select(CircleCard.post_id, CircleCard.kind, CircleCard.target_id)
        .where(CircleCard.post_id.in_(post_ids)))}


def share_choices(viewer, limit=20):
    """Recent threads of the viewer's circles, where they may share a card."""
    if viewer is None or not viewer.is_authenticated:
        return []
    rows = db.session.execute(
        select(Thread.id, Thread.title, Circle.name)
        .join(CircleThread, CircleThread.thread_id == Thread.id)
        .join(Circle, Circle.id == CircleThread.circle_id)
        .join(CircleMember, (CircleMember.circle_id == Circle.id)
              & (CircleMember.user_id == viewer.id))
        .where(Thread.hidden.is_(False), Thread.locked.is_(False))
        .order_by(Thread.last_post_at.desc()).limit(limit)).all()
    return [(r.id, f"{r.name} · {r.title}") for r in rows]


def share_into(thread_id, viewer, kind, target_id, comment):
    post = share(thread_id, viewer, kind, target_id, comment)
    return url_for("forum.post", post_id=post.id)


def sharer_for(circle_id, viewer, targets):
    """The order source "circle": the latest sharer of one of `targets` in the circle."""
    access.readable_by_id(circle_id, viewer)
    found = db.session.execute(
        select(CircleCard.sharer_id).join(Post, Post.id == CircleCard.post_id)
        .where(CircleCard.circle_id == circle_id, Post.hidden.is_(False),
               Post.deleted_at.is_(None), _any_target(targets))
        .order_by((CircleCard.sharer_id == viewer.id).asc(), CircleCard.post_id.desc())
        .limit(1)).first()
    if found is None:
        raise ValidationError(_("Nothing like that was shared in this circle."),
                                    field="source", code="no_such_card")
    return found.sharer_id if found.sharer_id != viewer.id else None


def _any_target(targets):
    return or_(*[and_(CircleCard.kind == kind, CircleCard.target_id == target_id)
                 for kind, target_id in targets])
