"""Staff decisions on ideas: status changes with official responses, and merging."""

from flask_babel import gettext as _
from sqlalchemy import bindparam, literal, select, update

from ..accounts.models import User
from ..accounts.rows import AUTHOR_COLUMNS, Author, moment
from ..forum.models import Thread
from ..forum.moderation import ensure_staff
from ..kernel import signals
from ..kernel.database import conflict_insert, transaction, utcnow
from ..kernel.errors import Conflict, NotFound, ValidationError
from ..kernel.extensions import db
from ..kernel.reads import rows_of
from ..web.markdown import render
from .models import STATUSES, Idea, StatusChange, Vote
from .service import bump_votes, move_count

MAX_RESPONSE = 10_000


def _check_response(response, required=True):
    response = (response or "").strip()
    if required and not response:
        raise ValidationError(_("Write the official response that goes with the change."),
                              field="response")
    if len(response) > MAX_RESPONSE:
        raise ValidationError(_("Keep the response under %(n)d characters.", n=MAX_RESPONSE),
                              field="response")
    return response


def record_change(idea, actor, to_status, response):
    """Move an idea to a status inside the caller's transaction, with its timeline row."""
    change = StatusChange(idea_id=idea.id, actor_id=actor.id, from_status=idea.status,
                          to_status=to_status, response=response, response_html=render(response))
    db.session.add(change)
    if to_status != idea.status:
        move_count(idea.board_id, idea.status, -1)
        move_count(idea.board_id, to_status, 1)
        idea.status = to_status
        idea.status_changed_at = utcnow()
    db.session.flush()
    return change


def change_status(idea_id, actor, status, response):
    """Staff set a status (or answer without changing it); the response is required."""
    ensure_staff(actor)
    if status not in STATUSES:
        raise ValidationError(_("Unknown status %(status)s.", status=status), field="status",
                              code="unknown_status")
    if status == "merged":
        raise ValidationError(_("Merge an idea into another one to mark it merged."),
                              field="status")
    response = _check_response(response)
    with transaction():
        idea = db.session.get(Idea, idea_id, populate_existing=True)
        if idea is None:
            raise NotFound(_("No such idea."))
        if idea.status == "merged":
            raise Conflict(_("A merged idea keeps its status."), code="idea_merged")
        change = record_change(idea, actor, status, response)
        signals.idea_status_changed.send(idea, change=change, actor=actor)
    return change


class ChangeRow:
    """A status change as the idea's page and the API show it; `actor` an accounts Author."""

    __slots__ = ("from_status", "to_status", "response", "response_html", "created_at", "actor")

    def __init__(self, from_status, to_status, response, response_html, created_at, *actor):
        self.from_status, self.to_status, self.response = from_status, to_status, response
        self.response_html, self.created_at = response_html, moment(created_at)
        self.actor = Author(*actor)


_TIMELINE = (select(StatusChange.from_status, StatusChange.to_status, StatusChange.response,
                    StatusChange.response_html, StatusChange.created_at, *AUTHOR_COLUMNS)
             .join(User, User.id == StatusChange.actor_id)
             .where(StatusChange.idea_id == bindparam("idea_id")).order_by(StatusChange.id))


def timeline(idea):
    """The idea's status changes, oldest first, as ChangeRows."""
    return [ChangeRow(*row) for row in rows_of(_TIMELINE, idea_id=idea.id)]


def official_response(changes):
    """The latest change that came with words, shown at the top of the idea."""
    return next((c for c in reversed(changes) if c.response), None)


def merge(source_id, target_id, actor, response=""):
    """Merge idea A into B: A's voters vote for B (once each), A's page points to B,
    A's discussion stays readable but locked. Followers move with a signal."""
    ensure_staff(actor)
    response = _check_response(response, required=False)
    if source_id == target_id:
        raise ValidationError(_("An idea cannot be merged into itself."), field="target")
    with transaction():
        source = db.session.get(Idea, source_id, populate_existing=True)
        target = db.session.get(Idea, target_id, populate_existing=True)
        if source is None or target is None:
            raise ValidationError(_("Both ideas must exist."), field="target")
        if source.status == "merged":
            raise Conflict(_("That idea is already merged."), code="idea_merged")
        if target.status == "merged":
            raise Conflict(_("Merge into the idea it was merged into instead."),
                           code="target_merged")
        moved = _copy_votes(source.id, target.id)
        if moved:
            bump_votes(target.id, moved)
        text = response or _("Merged into #%(id)d.", id=target.id)
        change = record_change(source, actor, "merged", text)
        source.merged_into_id = target.id
        db.session.execute(update(Thread).where(Thread.id == source.thread_id).values(locked=True))
        signals.idea_merged.send(source, target=target, actor=actor, change=change)
    return target


def _copy_votes(source_id, target_id):
    """INSERT ... SELECT the source's voters onto the target, skipping those already there."""
    # The WHERE also keeps SQLite's parser from reading ON CONFLICT as a join clause.
    voters = (select(Vote.user_id, literal(target_id), Vote.created_at, literal(source_id))
              .where(Vote.idea_id == source_id))
    stmt = (conflict_insert(Vote).from_select(["user_id", "idea_id", "created_at", "merged_from_id"], voters)
            .on_conflict_do_nothing().returning(Vote.user_id))
    return len(db.session.execute(stmt).all())
