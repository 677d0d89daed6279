"""Reports: a participant flags a message for staff, who then see that message and a few
around it in the moderation queue, and nothing else of the conversation.

Resolving writes the forum's moderation log in the same transaction, like any staff action.
"""

from flask_babel import gettext as _
from sqlalchemy import select, update

from ..forum import moderation
from ..kernel.database import insert_ignore, transaction, utcnow
from ..kernel.errors import NotFound, ValidationError
from ..kernel.extensions import db
from ..web.pagination import paginate
from . import access
from .models import Message, Participant, Report

CONTEXT = 5  # messages shown before and after the reported one
OUTCOMES = ("dismissed", "hidden")


def report(message_id, reporter, reason=""):
    """Flag a message one can read; reporting it twice changes nothing."""
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise ValidationError(_("Keep the reason under %(n)d characters.", n=500), field="reason")
    message, _row = access.get_message(message_id, reporter)
    if message.author_id == reporter.id:
        raise ValidationError(_("You cannot report your own message."), code="own_message")
    reporter_id = reporter.id
    with transaction():
        insert_ignore(Report, message_id=message.id, reporter_id=reporter_id, reason=reason,
                      created_at=utcnow())
    return message


def open_reports(page, per_page=20):
    stmt = select(Report).where(Report.resolved_at.is_(None)).order_by(Report.id)
    return paginate(stmt, page, per_page)


def get_report(report_id, staff):
    """A report with its message's context, for staff (403 for anyone else)."""
    moderation.ensure_staff(staff)
    found = db.session.get(Report, report_id)
    if found is None:
        raise NotFound(_("No such report."))
    return found


def context_of(report):
    """The reported message with up to CONTEXT messages either side, in order: only what
    the reporter could read themselves (not a group's history from before they joined)."""
    message = report.message
    since = db.session.scalar(select(Participant.since_message_id).where(
        Participant.conversation_id == message.conversation_id,
        Participant.user_id == report.reporter_id))
    base = select(Message).where(Message.conversation_id == message.conversation_id,
                                 Message.id > (message.id - 1 if since is None else since))
    before = db.session.scalars(base.where(Message.id < message.id)
                                .order_by(Message.id.desc()).limit(CONTEXT)).all()
    after = db.session.scalars(base.where(Message.id > message.id)
                               .order_by(Message.id).limit(CONTEXT)).all()
    return list(reversed(before)) + [message] + after


def resolve(report_id, staff, outcome, reason=""):
    """Dismiss the reports of a message, or hide it; either way its reports close."""
    moderation.ensure_staff(staff)
    if outcome not in OUTCOMES:
        raise ValidationError(_("Dismiss the report or hide the message."), field="outcome")
    with transaction():
        found = db.session.get(Report, report_id)
        if found is None:
            raise NotFound(_("No such report."))
        if outcome == "hidden":
            db.session.execute(update(Message).where(Message.id == found.message_id)
                               .values(hidden=True))
        moderation.record(staff, "hide" if outcome == "hidden" else "dismiss", "message",
                          found.message_id, reason)
        db.session.execute(update(Report).where(Report.message_id == found.message_id,
                                                Report.resolved_at.is_(None))
                           .values(resolved_at=utcnow(), resolved_by_id=staff.id, outcome=outcome))
    return found
