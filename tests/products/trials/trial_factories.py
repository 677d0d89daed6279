"""Factories for trial tests: a trial, fans with levels and board points, closing a trial."""

from datetime import timedelta

from helpers import make_product, make_user
from sqlalchemy import update

from community.accounts.models import User
from community.engagement.models import PointEntry
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from products.trials import service
from products.trials.models import Trial

QUESTIONS = "device: Which phone will you use?\nchoice: How often do you run? | daily | weekly"
REPORT_QUESTIONS = "rating: Battery life\nrating: Comfort\ntext: What would you change?"
ANSWERS = {"q1": "Pixel 8", "q2": "daily"}
REPORT = {"q1": 4, "q2": 5, "q3": "A longer strap."}


def make_trial(product=None, staff=None, places=2, **options):
    staff = staff or make_user(role="staff")
    product = product or make_product(staff=staff)
    now = utcnow()
    values = {"apply_by": now + timedelta(days=2), "report_due": now + timedelta(days=20),
              "questions_text": QUESTIONS, "report_questions_text": REPORT_QUESTIONS}
    values.update(options)
    return service.create_trial(product, staff, "Strap trial", "Try the new strap.", places,
                                **values)


def make_fan(points=0, board_points=0, board_id=None, verified=True):
    fan = make_user(verified=verified)
    with transaction():
        if points:
            db.session.execute(update(User).where(User.id == fan.id).values(points=points))
        if board_points:
            db.session.add(PointEntry(user_id=fan.id, kind="test", source=f"t{fan.id}",
                                      points=board_points, day=utcnow().date(),
                                      board_id=board_id))
    return db.session.get(User, fan.id, populate_existing=True)


def close_applications(trial):
    with transaction():
        db.session.execute(update(Trial).where(Trial.id == trial.id)
                           .values(apply_by=utcnow() - timedelta(minutes=1)))
    return db.session.get(Trial, trial.id, populate_existing=True)


def move_due(trial, delta):
    with transaction():
        db.session.execute(update(Trial).where(Trial.id == trial.id)
                           .values(report_due=utcnow() + delta))
    return db.session.get(Trial, trial.id, populate_existing=True)
