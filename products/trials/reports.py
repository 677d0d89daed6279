"""Testers' reports: filing one (with photos), the summary staff read, and turning a report
into an idea on the product's board, credited to the tester."""

import json

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from community.forum.moderation import ensure_staff
from community.ideas import service as ideas
from community.kernel.database import transaction, utcnow
from community.kernel.errors import Conflict, Forbidden, NotFound
from community.kernel.extensions import db

from . import photos, questions
from .models import TrialApplication, TrialReport
from .service import get_trial, report_asked


def file_report(trial_id, user, answers, public=False, files=()):
    """A confirmed tester files their report by its due date; returns it."""
    trial = get_trial(trial_id)
    if user is None or not user.is_authenticated:
        raise Forbidden(_("Sign in to file a report."), code="sign_in_required")
    tester = db.session.scalar(select(TrialApplication.id).where(
        TrialApplication.trial_id == trial.id, TrialApplication.user_id == user.id,
        TrialApplication.status == "confirmed"))
    if tester is None:
        raise Forbidden(_("Only the trial's testers file reports."), code="not_a_tester")
    now = utcnow()
    if now > trial.report_due:
        raise Conflict(_("Reports on this trial were due by %(when)s.",
                         when=trial.report_due.strftime("%Y-%m-%d %H:%M")), code="report_closed")
    clean = questions.check_answers(report_asked(trial), answers)
    stored = photos.store(files)
    try:
        with transaction():
            report = TrialReport(trial_id=trial.id, user_id=user.id, public=bool(public),
                                 answers=json.dumps(clean, ensure_ascii=False), created_at=now)
            db.session.add(report)
            db.session.flush()
            photos.add_rows(report.id, stored, now)
    except IntegrityError:
        photos.discard(stored)
        raise Conflict(_("You have filed your report already."), code="already_reported") from None
    except BaseException:
        photos.discard(stored)
        raise
    db.session.refresh(report)
    return report


def report_of(trial_id, user_id):
    return db.session.scalar(select(TrialReport).where(TrialReport.trial_id == trial_id,
                                                       TrialReport.user_id == user_id))


def reports(trial_id, public_only=True):
    stmt = select(TrialReport).where(TrialReport.trial_id == trial_id)
    if public_only:
        stmt = stmt.where(TrialReport.public.is_(True))
    return db.session.scalars(stmt.order_by(TrialReport.id)).all()


def answers_of(report):
    return json.loads(report.answers or "{}")


def summary(trial):
    """Per report question: ratings as {"count", "average", "bars": [(stars, n)]}; texts as
    {"count", "texts": [(username, text)]}."""
    rows = reports(trial.id, public_only=False)
    result = []
    for q in report_asked(trial):
        given = [(r.user.username, answers_of(r).get(q["key"])) for r in rows]
        given = [(name, value) for name, value in given if value not in (None, "")]
        item = {"question": q, "count": len(given)}
        if q["kind"] == "rating":
            values = [v for _n, v in given if isinstance(v, int)]
            item["average"] = round(sum(values) / len(values), 2) if values else None
            item["bars"] = [(stars, values.count(stars)) for stars in range(5, 0, -1)]
        else:
            item["texts"] = given
        result.append(item)
    return result


def idea_text(trial, report):
    """The idea's title and Markdown body drawn from the report."""
    title = _("From the trial of %(product)s: %(name)s's report", product=trial.product.name,
              name=report.user.username)[:120]
    answers = answers_of(report)
    lines = [_("Filed in the trial \"%(trial)s\".", trial=trial.title), ""]
    for q in report_asked(trial):
        value = answers.get(q["key"])
        shown = f"{value}/5" if q["kind"] == "rating" else str(value or "")
        lines += [f"**{q['label']}**", "", shown, ""]
    return title, "\n".join(lines).strip()


def to_idea(trial_id, actor, report_id):
    """Propose the report as an idea on the product's board, its tester as the author
    (credited with it, as if they had proposed it). Twice gives the same idea: the submit
    token names the report."""
    ensure_staff(actor)
    trial = get_trial(trial_id)
    report = db.session.get(TrialReport, report_id) if isinstance(report_id, int) else None
    if report is None or report.trial_id != trial.id:
        raise NotFound(_("No such report."))
    title, body = idea_text(trial, report)
    idea = ideas.propose(trial.product.board, report.user, title, body,
                         submit_token=f"trial-report-{report.id}")
    with transaction():
        db.session.execute(update(TrialReport).where(TrialReport.id == report.id,
                                                     TrialReport.idea_id.is_(None))
                           .values(idea_id=idea.id))
    return idea
