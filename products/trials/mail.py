"""Mail to testers, over community/mail's outbox: "you were selected" (one per application)
and "your report is due soon" (one per tester per trial: the outbox's unique kind, user,
ref). A place confirmed, declined or a report filed meanwhile sends nothing."""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.mail import outbox
from community.mail.render import Letter, locale_of, register_kind
from community.web.site import absolute_url

from .models import Trial, TrialApplication, TrialReport

SELECTED, REMINDER = "trial_selected", "trial_report_reminder"
DEFAULT_REMINDER_DAYS = 3


def queue_selected(application_ids):
    """In the selecting transaction: each of these fans hears they have a place to confirm."""
    if application_ids:
        outbox.queue_select(SELECTED, select(
            TrialApplication.user_id.label("user_id"), TrialApplication.id.label("ref_id"))
            .where(TrialApplication.id.in_(list(application_ids))))


def _unreported(now, soon):
    return (select(TrialApplication.user_id.label("user_id"),
                   TrialApplication.id.label("ref_id"))
            .join(Trial, Trial.id == TrialApplication.trial_id)
            .outerjoin(TrialReport, (TrialReport.trial_id == Trial.id)
                       & (TrialReport.user_id == TrialApplication.user_id))
            .where(TrialApplication.status == "confirmed", TrialReport.id.is_(None),
                   Trial.report_due > now, Trial.report_due <= soon))


def queue_reminders(now=None):
    """Testers whose report is due within TRIALS_REMINDER_DAYS and not filed yet; each
    tester is reminded once per trial however often this runs."""
    now = now or utcnow()
    soon = now + timedelta(days=current_app.config.get("TRIALS_REMINDER_DAYS",
                                                       DEFAULT_REMINDER_DAYS))
    with transaction():
        return outbox.queue_select(REMINDER, _unreported(now, soon))


def build(row):
    application = db.session.get(TrialApplication, row.ref_id)
    if application is None:
        return None
    user, trial = application.user, db.session.get(Trial, application.trial_id)
    if user.is_banned or user.email_verified_at is None:
        return None
    wanted = "selected" if row.kind == SELECTED else "confirmed"
    if application.status != wanted:
        return None
    if row.kind == REMINDER and db.session.scalar(select(TrialReport.id).where(
            TrialReport.trial_id == trial.id, TrialReport.user_id == user.id)) is not None:
        return None
    name = trial.title
    subject = ((lambda: _("You have a place in the trial %(trial)s", trial=name))
               if row.kind == SELECTED else
               (lambda: _("Your report on %(trial)s is due soon", trial=name)))
    return Letter(
        to=user.email, template="products/mail/trial", locale=locale_of(user), subject=subject,
        context={"trial": trial, "reminder": row.kind == REMINDER,
                 "link": absolute_url("trials.show", trial_id=trial.id)})


def register():
    register_kind(SELECTED, build)
    register_kind(REMINDER, build)
