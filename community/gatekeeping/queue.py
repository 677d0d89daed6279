"""The approval queue: staff approve or reject held posts, one by one or many at once.

Deciding is one conditional UPDATE per post (`... WHERE id = :id AND state = 'pending'`)
in the same transaction as writing the post: of two staff approving the same posts at
once, each post is claimed by exactly one of them, and the other skips it (its row count
is 0), so a post is never written twice and its author is told once. A post that can no
longer be written (its thread locked or hidden, its circle left, its author banned) rolls
its claim back and stays in the queue, with the reason shown, for staff to reject.
"""

from typing import NamedTuple

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..forum import moderation
from ..forum.screening import PUBLISHERS
from ..kernel.database import transaction, utcnow
from ..kernel.errors import DomainError, Forbidden, ValidationError
from ..kernel.extensions import db
from ..notifications.fanout import clip, fan_out, one
from ..web.pagination import paginate
from .models import HeldPost

MAX_NOTE = 500
MAX_BATCH = 200


class Outcome(NamedTuple):
    done: list  # ids decided by this call
    skipped: list  # ids someone else decided first (or unknown)
    failed: list  # (id, message): could not be written, still waiting


def pending_page(page, per_page=50):
    return paginate(select(HeldPost).where(HeldPost.state == "pending").order_by(HeldPost.id),
                    page, per_page)


def pending_count():
    return db.session.scalar(select(func.count()).select_from(HeldPost)
                             .where(HeldPost.state == "pending"))


def place(held):
    """(label, (endpoint, values) or None): where the post was going."""
    publisher = PUBLISHERS.get(held.kind)
    return publisher.place(held.fields) if publisher else (held.kind, None)


def place_link(held):
    """(label, url or None), for a page."""
    label, target = place(held)
    return label, url_for(target[0], **target[1]) if target else None


def decide(ids, staff, approve, note=""):
    """Approve (write) or reject the held posts `ids`; tells each author. -> Outcome."""
    moderation.ensure_staff(staff)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(_("Keep the note to %(n)d characters or fewer.", n=MAX_NOTE),
                              field="note")
    ids = sorted({i for i in ids if isinstance(i, int)})
    if not ids:
        raise ValidationError(_("Pick at least one post."), field="ids", code="nothing_picked")
    if len(ids) > MAX_BATCH:
        raise ValidationError(_("Pick at most %(n)d posts at once.", n=MAX_BATCH), field="ids")
    outcome = Outcome([], [], [])
    staff_id = staff.id
    for held_id in ids:
        try:
            with transaction():
                if _claim(held_id, staff_id, approve, note):
                    _carry_out(db.session.get(HeldPost, held_id, populate_existing=True),
                               staff_id, approve, note)
                    outcome.done.append(held_id)
                else:
                    outcome.skipped.append(held_id)
        except DomainError as error:
            outcome.failed.append((held_id, error.message))
        except IntegrityError:  # its form's token was spent on another post meanwhile
            outcome.failed.append((held_id, _("This form was sent already: reload the page "
                                              "to write again.")))
    return outcome


def _claim(held_id, staff_id, approve, note):
    return db.session.execute(
        update(HeldPost).where(HeldPost.id == held_id, HeldPost.state == "pending")
        .values(state="approved" if approve else "rejected", decided_at=utcnow(),
                decided_by=staff_id, note=note)).rowcount == 1


def _carry_out(held, staff_id, approve, note):
    label = place(held)[0]
    title = held.fields.get("title") or label
    excerpt = clip(held.fields.get("body", ""), 280)
    staff = db.session.get(User, staff_id)
    if not approve:
        moderation.record(staff, "reject_post", "held_post", held.id, note)
        fan_out("post_rejected", one(held.author_id), actor_id=staff_id, title=title,
                excerpt=excerpt, detail=note, target_type="held_post", target_id=held.id)
        return
    author = db.session.get(User, held.author_id)
    if author.is_banned:
        raise Forbidden(_("Its author is banned."), code="banned")
    post = PUBLISHERS[held.kind].publish(author, held.fields, held.submit_token)
    held.post_id = post.id
    moderation.record(staff, "approve_post", "post", post.id, note)
    fan_out("post_approved", one(held.author_id), actor_id=staff_id, title=title,
            excerpt=excerpt, detail=note, target_type="post", target_id=post.id,
            thread_id=post.thread_id, post_id=post.id)


def authors_posts(author, limit=50):
    """The author's own held posts, newest first: waiting, and lately decided."""
    return db.session.scalars(select(HeldPost).where(HeldPost.author_id == author.id)
                              .order_by(HeldPost.id.desc()).limit(limit)).all()
