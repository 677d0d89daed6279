"""Opening trials, reading them, and applying to them.

Who may apply is the trial's to say: a signed-in, unbanned fan of at least its minimum
level (community/accounts/levels.py), with a confirmed address when the trial asks for one,
before its deadline, once (a unique constraint: two submits at once make one application),
answering every question of its form. Staff pick testers in selection.py.
"""

import json

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from community.accounts.levels import LEVELS
from community.forum.moderation import ensure_staff
from community.kernel.database import transaction, utcnow
from community.kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from community.kernel.extensions import db
from community.kernel.reads import rows_of

from ..catalog.models import Product
from . import questions
from .models import Trial, TrialApplication, TrialReport

MAX_PLACES = 10_000
TITLE_MAX = 120
DESCRIPTION_MAX = 4000


def create_trial(product, actor, title, description, places, apply_by, report_due,
                 min_level=1, verified_required=True, cocreators_first=False,
                 questions_text="", report_questions_text=""):
    """Open a trial of the product (staff only)."""
    ensure_staff(actor)
    title, description = (title or "").strip(), (description or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise ValidationError(_("Give the trial a title of at most %(n)d characters.",
                                n=TITLE_MAX), field="title")
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(_("Keep it under %(n)d characters.", n=DESCRIPTION_MAX),
                              field="description")
    if not isinstance(places, int) or isinstance(places, bool) or not 1 <= places <= MAX_PLACES:
        raise ValidationError(_("A trial has 1 to %(n)d places.", n=MAX_PLACES), field="places")
    if not isinstance(min_level, int) or not 1 <= min_level <= len(LEVELS):
        raise ValidationError(_("Pick a level from 1 to %(n)d.", n=len(LEVELS)),
                              field="min_level")
    now = utcnow()
    if apply_by is None or apply_by <= now:
        raise ValidationError(_("The application deadline must be in the future."),
                              field="apply_by")
    if report_due is None or report_due <= apply_by:
        raise ValidationError(_("Reports are due after the application deadline."),
                              field="report_due")
    asked = questions.parse(questions_text, questions.APPLY_KINDS, "questions")
    report_asked = questions.parse(report_questions_text, questions.REPORT_KINDS,
                                   "report_questions")
    if not report_asked:
        raise ValidationError(_("Ask the testers at least one question."),
                              field="report_questions")
    with transaction():
        trial = Trial(product_id=product.id, title=title, description=description,
                      places=places, min_level=min_level, verified_required=bool(verified_required),
                      cocreators_first=bool(cocreators_first), questions=json.dumps(asked),
                      report_questions=json.dumps(report_asked), apply_by=apply_by,
                      report_due=report_due, created_by_id=actor.id, created_at=now)
        db.session.add(trial)
    return trial


def get_trial(trial_id):
    trial = db.session.get(Trial, trial_id) if isinstance(trial_id, int) else None
    if trial is None:
        raise NotFound(_("No such trial."))
    return trial


def asked(trial):
    return questions.load(trial.questions)


def report_asked(trial):
    return questions.load(trial.report_questions)


# Built once and run on the driver: every product page asks, and most products have none.
_ANY_TRIAL = select(Trial.id).where(Trial.product_id == bindparam("product_id")).limit(1)


def trials_of_product(product_id):
    """The product's trials, newest first: one statement, and one more for the trials
    when there are any."""
    if not rows_of(_ANY_TRIAL, product_id=product_id):
        return []
    return db.session.scalars(select(Trial).where(Trial.product_id == product_id)
                              .order_by(Trial.id.desc())).all()


def list_trials(page, per_page, product_slug=None):
    """(trials newest first, has_next)."""
    stmt = select(Trial).order_by(Trial.id.desc())
    if product_slug is not None:
        stmt = stmt.join(Product, Product.id == Trial.product_id).where(
            Product.slug == product_slug)
    rows = db.session.scalars(stmt.offset((page - 1) * per_page).limit(per_page + 1)).all()
    return rows[:per_page], len(rows) > per_page


# ---- applying ---------------------------------------------------------------------

def ensure_can_apply(trial, user, now=None):
    """Raise saying why, unless the user may apply to the trial now."""
    if user is None or not user.is_authenticated:
        raise Forbidden(_("Sign in to apply."), code="sign_in_required")
    if user.is_banned:
        raise Forbidden(_("Your account is banned and cannot apply."), code="banned")
    if not trial.is_open(now):
        raise Conflict(_("Applications to this trial are closed."), code="trial_closed")
    if trial.verified_required and not user.is_verified:
        raise Forbidden(_("This trial asks for a confirmed email address: open the link we "
                          "mailed you first."), code="email_unverified")
    if user.level.number < trial.min_level:
        raise Forbidden(_("This trial is open to fans of level %(n)d and above.",
                          n=trial.min_level), code="level_required")


def apply(trial_id, user, answers):
    """A fan applies with answers to the trial's questions; returns the application."""
    trial = get_trial(trial_id)
    ensure_can_apply(trial, user)
    clean = questions.check_answers(asked(trial), answers)
    try:
        with transaction():
            application = TrialApplication(trial_id=trial.id, user_id=user.id,
                                           answers=json.dumps(clean, ensure_ascii=False),
                                           status="applied", created_at=utcnow())
            db.session.add(application)
    except IntegrityError:
        raise Conflict(_("You have applied to this trial already."),
                       code="already_applied") from None
    return application


def application_of(trial_id, user):
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(select(TrialApplication).where(
        TrialApplication.trial_id == trial_id, TrialApplication.user_id == user.id))


def applications(trial):
    """Every application, shortlist order first, then oldest first (staff)."""
    return db.session.scalars(
        select(TrialApplication).where(TrialApplication.trial_id == trial.id)
        .order_by(TrialApplication.rank.is_(None), TrialApplication.rank,
                  TrialApplication.id)).all()


def counts(trial_id):
    """{status: number of applications}."""
    return dict(db.session.execute(
        select(TrialApplication.status, func.count()).where(TrialApplication.trial_id == trial_id)
        .group_by(TrialApplication.status)).all())


def testers(trial_id):
    """The fans who confirmed their place, in the order they did."""
    return db.session.scalars(
        select(TrialApplication).where(TrialApplication.trial_id == trial_id,
                                       TrialApplication.status == "confirmed")
        .order_by(TrialApplication.decided_at, TrialApplication.id)).all()


def trials_of(user):
    """[(application, trial, report or None)] of the user's trials, newest first."""
    rows = db.session.execute(
        select(TrialApplication, Trial, TrialReport)
        .join(Trial, Trial.id == TrialApplication.trial_id)
        .outerjoin(TrialReport, (TrialReport.trial_id == Trial.id)
                   & (TrialReport.user_id == TrialApplication.user_id))
        .where(TrialApplication.user_id == user.id).order_by(TrialApplication.id.desc())).all()
    return [tuple(row) for row in rows]


def answers_of(application):
    return json.loads(application.answers or "{}")
