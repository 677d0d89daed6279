"""Reporting and the staff queue, as plain functions; each owns its transaction.

- Anyone signed in and not banned may report what they can see, once while the report is
  open (the partial unique index decides; a second report is a Conflict that says so).
  What they cannot see is a NotFound, the very one a missing target gives (targets.py).
- Reports from members at or above the trusted level (staff set it; REPORTS_TRUSTED_LEVEL
  until they do) count towards REPORTS_TRUSTED_FLAGS: when that many are open on a target
  it is hidden until staff look, as Discourse's flags do. The count is SQL arithmetic on the
  target's row and the hiding a conditional UPDATE of its flag, in the report's
  transaction: concurrent reports neither miss the threshold nor hide twice.
- Staff close every open report of a target at once: hide it (the reporters hear the
  content was removed) or dismiss (they hear no action was taken; what trusted reports hid
  shows again). The moderation log gets the action in the same transaction.
"""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update

from ..forum import moderation
from ..kernel.database import conflict_insert, insert_ignore, transaction, utcnow
from ..kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from ..kernel.extensions import db
from ..mail.notify import fan_out_and_mail
from ..notifications.fanout import clip
from ..web.pagination import paginate
from . import targets
from .models import REASONS, TEXT_MAX, TITLE_MAX, Report, ReportSettings, ReportTarget

NOTIFICATION_KIND = "report_reviewed"
SETTINGS_ID = 1

_COUNT = (update(ReportTarget)
          .where(ReportTarget.kind == bindparam("k"), ReportTarget.target_id == bindparam("t"))
          .values(open_count=ReportTarget.open_count + 1,
                  trusted_count=ReportTarget.trusted_count + bindparam("trusted_add"),
                  first_reported_at=func.coalesce(ReportTarget.first_reported_at,
                                                  bindparam("now")),
                  last_reported_at=bindparam("now"))
          .returning(ReportTarget.id, ReportTarget.trusted_count))


def trusted_level():
    found = db.session.scalar(select(ReportSettings.trusted_level)
                              .where(ReportSettings.id == SETTINGS_ID))
    return found if found is not None else current_app.config["REPORTS_TRUSTED_LEVEL"]


def set_trusted_level(level, staff):
    moderation.ensure_staff(staff)
    if not isinstance(level, int) or not 1 <= level <= 12:
        raise ValidationError(_("Choose a level from 1 to 12."), field="trusted_level")
    staff_id = staff.id
    with transaction():
        if not insert_ignore(ReportSettings, id=SETTINGS_ID, trusted_level=level,
                             updated_by_id=staff_id, updated_at=utcnow()):
            db.session.execute(update(ReportSettings).where(ReportSettings.id == SETTINGS_ID)
                               .values(trusted_level=level, updated_by_id=staff_id,
                                       updated_at=utcnow()))
    return level


def check(reason, text):
    """(reason, text) cleaned; ValidationError for an unknown reason, a missing or long text."""
    text = (text or "").strip()
    if reason not in REASONS:
        raise ValidationError(_("Choose a reason."), field="reason", code="bad_reason")
    if len(text) > TEXT_MAX:
        raise ValidationError(_("Keep the reason under %(n)d characters.", n=TEXT_MAX),
                              field="text", code="too_long")
    if reason == "other" and not text:
        raise ValidationError(_("Say what is wrong."), field="text", code="text_required")
    return reason, text


def ensure_can_report(user):
    if user is None or not user.is_authenticated:
        raise Forbidden(_("Sign in to report."), code="sign_in_required")
    if user.is_banned:
        raise Forbidden(_("Your account is banned and cannot report."), code="banned")


def report(kind, target_id, reporter, reason, text=""):
    """File a report; returns (Report, Target). NotFound unless the reporter sees it."""
    ensure_can_report(reporter)
    target = targets.find(kind, target_id, reporter)
    reason, text = check(reason, text)
    if target.author_id is not None and target.author_id == reporter.id:
        raise ValidationError(_("You cannot report what you wrote yourself."), code="own_content")
    trusted = reporter.level.number >= trusted_level()
    reporter_id, now = reporter.id, utcnow()
    with transaction():
        row_id = _insert_report(target, reporter_id, reason, text, trusted, now)
        insert_ignore(ReportTarget, kind=target.kind, target_id=target.id,
                      author_id=target.author_id, title=clip(target.title, TITLE_MAX))
        _id, trusted_count = db.session.execute(_COUNT, {
            "k": target.kind, "t": target.id, "trusted_add": int(trusted), "now": now}).one()
        if trusted and trusted_count >= current_app.config["REPORTS_TRUSTED_FLAGS"]:
            _hide_until_staff_look(target)
    return db.session.get(Report, row_id), target


def _insert_report(target, reporter_id, reason, text, trusted, now):
    """INSERT ... ON CONFLICT DO NOTHING: the partial unique index on open reports decides,
    so two reports sent at once by one member make one row and one Conflict."""
    inserted = db.session.execute(
        conflict_insert(Report.__table__).values(
            kind=target.kind, target_id=target.id, reporter_id=reporter_id, reason=reason,
            text=text, trusted=trusted, created_at=now)
        .on_conflict_do_nothing().returning(Report.id)).first()
    if inserted is None:
        raise Conflict(_("You have already reported this: staff will look at it."),
                       code="already_reported")
    return inserted[0]


def _hide_until_staff_look(target):
    """Claim the target's one automatic hiding (a conditional UPDATE: only the report that
    flips the flag hides), then hide it; content already hidden stays staff's doing."""
    kind = targets.kind(target.kind)
    if kind.set_hidden is None:
        return
    claimed = db.session.execute(
        update(ReportTarget).where(ReportTarget.kind == target.kind,
                                   ReportTarget.target_id == target.id,
                                   ReportTarget.auto_hidden.is_(False))
        .values(auto_hidden=True).returning(ReportTarget.id)).first()
    if claimed is not None and not kind.set_hidden(target.id, True):
        db.session.execute(update(ReportTarget).where(ReportTarget.id == claimed[0])
                           .values(auto_hidden=False))


# ---- the staff queue --------------------------------------------------------

def queue(staff, page, per_page=20):
    """(Page of ReportTarget with open reports, latest first; {target row id: {reason: n}})."""
    moderation.ensure_staff(staff)
    stmt = (select(ReportTarget).where(ReportTarget.open_count > 0)
            .order_by(ReportTarget.last_reported_at.desc(), ReportTarget.id.desc()))
    found = paginate(stmt, page, per_page)
    reasons = {row.id: {} for row in found.items}
    keys = {(row.kind, row.target_id): row.id for row in found.items}
    if keys:
        rows = db.session.execute(
            select(Report.kind, Report.target_id, Report.reason, func.count())
            .where(Report.resolved_at.is_(None),
                   Report.target_id.in_({t for _k, t in keys}))
            .group_by(Report.kind, Report.target_id, Report.reason))
        for kind, target_id, reason, count in rows:
            if (kind, target_id) in keys:
                reasons[keys[(kind, target_id)]][reason] = count
    return found, reasons


def open_target(kind, target_id, staff):
    """(ReportTarget, its open reports oldest first, the context): what staff review."""
    moderation.ensure_staff(staff)
    row = db.session.scalar(select(ReportTarget).where(ReportTarget.kind == kind,
                                                       ReportTarget.target_id == target_id))
    if row is None:
        raise NotFound(_("No such report."))
    reports = db.session.scalars(select(Report).where(
        Report.kind == kind, Report.target_id == target_id, Report.resolved_at.is_(None))
        .order_by(Report.id)).all()
    # What the first reporter could see, and no more.
    context = targets.kind(kind).context(target_id, reports[0].reporter_id) if reports else None
    return row, reports, context


def resolve(kind, target_id, staff, outcome, reason=""):
    """Close every open report of the target: "removed" hides it, "dismissed" leaves it
    (showing again what trusted reports hid). The reporters are told which, and no more.
    Returns how many reports closed (0 when someone else closed them first)."""
    moderation.ensure_staff(staff)
    target_kind = targets.kind(kind)
    if outcome not in ("removed", "dismissed"):
        raise ValidationError(_("Hide the content or dismiss the reports."), field="outcome")
    if outcome == "removed" and target_kind.set_hidden is None:
        raise ValidationError(_("This cannot be hidden: warn or suspend its author instead."),
                              field="outcome", code="cannot_hide")
    staff_id = staff.id
    with transaction():
        # The target's row, locked: two staff closing the same reports take turns.
        row = db.session.execute(
            select(ReportTarget.id, ReportTarget.auto_hidden, ReportTarget.title)
            .where(ReportTarget.kind == kind, ReportTarget.target_id == target_id)
            .with_for_update()).first()
        if row is None:
            raise NotFound(_("No such report."))
        was_auto_hidden, title = row.auto_hidden, row.title
        claimed = db.session.execute(
            update(ReportTarget).where(ReportTarget.id == row.id, ReportTarget.open_count > 0)
            .values(open_count=0, trusted_count=0, first_reported_at=None, auto_hidden=False)
            .returning(ReportTarget.id)).first()
        if claimed is None:
            return 0
        if outcome == "removed":
            target_kind.set_hidden(target_id, True)
        elif was_auto_hidden:
            target_kind.set_hidden(target_id, False)
        moderation.record(staff, "hide" if outcome == "removed" else "dismiss", kind, target_id,
                          reason)
        open_reports = (Report.kind == kind, Report.target_id == target_id,
                        Report.resolved_at.is_(None))
        fan_out_and_mail(NOTIFICATION_KIND,
                         select(Report.reporter_id.label("user_id")).where(*open_reports),
                         target_type=kind, target_id=target_id, title=title,
                         detail=outcome)
        closed = db.session.execute(update(Report).where(*open_reports).values(
            resolved_at=utcnow(), resolved_by_id=staff_id, outcome=outcome)).rowcount
    return closed
