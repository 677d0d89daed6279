"""Picking testers: staff shortlist and select by hand or run the draw (draw.py); selected
fans confirm or decline, and a declined place goes to the next fan on the shortlist.

Places are never over-filled: confirming is one conditional UPDATE of the trial's
counter (`places_taken + 1 <= places`) whose RETURNING row decides, taken after the
application's own conditional UPDATE (selected -> confirmed), in that order everywhere,
as products/orders/service.py reserves stock. Offers are limited to the free places when
they are made; should two staff offer at once, the counter still holds, and the late
confirmer hears the trial is full.
"""

import json

from flask_babel import gettext as _
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import aliased

from community.engagement.models import PointEntry
from community.forum.moderation import ensure_staff
from community.kernel.database import transaction, utcnow
from community.kernel.errors import Conflict, NotFound, ValidationError
from community.kernel.extensions import db

from ..catalog import cocreation
from . import draw, mail
from .models import Trial, TrialApplication, TrialDraw
from .service import get_trial

OPEN_STATUSES = ("applied", "shortlisted")
SEED_MAX = 64


def free_places(trial_id):
    """Places neither confirmed nor offered to a fan who has not answered yet."""
    offered = select(func.count()).where(TrialApplication.trial_id == trial_id,
                                         TrialApplication.status == "selected")
    return db.session.execute(select(Trial.places - Trial.places_taken - offered.scalar_subquery())
                              .where(Trial.id == trial_id)).scalar_one()


def _application(trial, application_id):
    row = db.session.get(TrialApplication, application_id) if isinstance(application_id, int) \
        else None
    if row is None or row.trial_id != trial.id:
        raise NotFound(_("No such application."))
    return row


def _next_rank(trial_id):
    return (db.session.scalar(select(func.max(TrialApplication.rank))
                              .where(TrialApplication.trial_id == trial_id)) or 0) + 1


def shortlist(trial_id, actor, application_id):
    """Put an applicant at the end of the shortlist (staff)."""
    ensure_staff(actor)
    with transaction():
        trial = get_trial(trial_id)
        row = _application(trial, application_id)
        done = db.session.execute(
            update(TrialApplication).where(TrialApplication.id == row.id,
                                           TrialApplication.status == "applied")
            .values(status="shortlisted", rank=_next_rank(trial.id))
            .returning(TrialApplication.id)).first()
        if done is None:
            raise Conflict(_("Only a new application can be shortlisted."), code="bad_status")
    return row


def select_by_hand(trial_id, actor, application_ids):
    """Offer places to these applicants (staff); they are told and confirm. Returns the
    applications offered a place."""
    ensure_staff(actor)
    ids = list(dict.fromkeys(application_ids))
    if not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ValidationError(_("Pick the applicants to select."), field="applications")
    with transaction():
        trial = get_trial(trial_id)
        rows = [_application(trial, i) for i in ids]
        if any(row.status not in OPEN_STATUSES for row in rows):
            raise Conflict(_("Only applicants who have not been offered a place can be "
                             "selected."), code="bad_status")
        if len(rows) > free_places(trial.id):
            raise Conflict(_("Only %(n)d places are free.", n=max(free_places(trial.id), 0)),
                           code="trial_full")
        _offer(ids)
    return rows


def _offer(application_ids):
    now = utcnow()
    db.session.execute(update(TrialApplication)
                       .where(TrialApplication.id.in_(application_ids),
                              TrialApplication.status.in_(OPEN_STATUSES))
                       .values(status="selected", decided_at=now),
                       execution_options={"synchronize_session": False})
    mail.queue_selected(application_ids)
    for row in db.session.scalars(select(TrialApplication)
                                  .where(TrialApplication.id.in_(application_ids))):
        db.session.refresh(row)


def entries(trial):
    """[(user_id, weight, cocreator)] of the applicants still in the running: weight is
    1 + the fan's points on the product's board."""
    points = aliased(PointEntry)
    earned = (select(func.coalesce(func.sum(points.points), 0))
              .where(points.user_id == TrialApplication.user_id,
                     points.board_id == trial.product.board_id).scalar_subquery())
    rows = db.session.execute(
        select(TrialApplication.user_id, earned)
        .where(TrialApplication.trial_id == trial.id,
               TrialApplication.status.in_(OPEN_STATUSES))
        .order_by(TrialApplication.user_id)).all()
    cocreators = (cocreation.qualifying(trial.product_id, [r[0] for r in rows])
                  if trial.cocreators_first else set())
    return [(user_id, 1 + max(int(got), 0), user_id in cocreators) for user_id, got in rows]


def run_draw(trial_id, actor, seed=None):
    """Draw testers for the free places (draw.py says how) and shortlist the rest in draw
    order; the draw is logged with its seed and entries. Returns the TrialDraw."""
    ensure_staff(actor)
    seed = (seed or "").strip() or draw.new_seed()
    if len(seed) > SEED_MAX:
        raise ValidationError(_("Use at most %(n)d characters.", n=SEED_MAX), field="seed")
    with transaction():
        trial = get_trial(trial_id)
        if trial.is_open():
            raise Conflict(_("Draw once applications have closed."), code="trial_open")
        pool = entries(trial)
        if not pool:
            raise Conflict(_("Nobody is waiting for a place."), code="no_applicants")
        order = draw.order(seed, pool, trial.cocreators_first)
        winners = order[:max(free_places(trial.id), 0)]
        by_user = dict(db.session.execute(
            select(TrialApplication.user_id, TrialApplication.id)
            .where(TrialApplication.trial_id == trial.id,
                   TrialApplication.user_id.in_(order))).all())
        for position, user_id in enumerate(order[len(winners):], 1):
            db.session.execute(update(TrialApplication)
                               .where(TrialApplication.id == by_user[user_id])
                               .values(status="shortlisted", rank=position),
                               execution_options={"synchronize_session": False})
        _offer([by_user[u] for u in winners])
        logged = TrialDraw(trial_id=trial.id, seed=seed, entries=json.dumps(pool),
                           order=json.dumps(order), selected=json.dumps(winners),
                           actor_id=actor.id, created_at=utcnow())
        db.session.add(logged)
    return logged


def draws(trial_id):
    return db.session.scalars(select(TrialDraw).where(TrialDraw.trial_id == trial_id)
                              .order_by(TrialDraw.id.desc())).all()


def replay(logged):
    """The order a logged draw gives when run again from its seed and entries."""
    trial = db.session.get(Trial, logged.trial_id)
    return draw.order(logged.seed, [tuple(e) for e in json.loads(logged.entries)],
                      trial.cocreators_first)


# ---- the fan's answer ------------------------------------------------------------

def _mine(trial_id, user, *statuses):
    return (TrialApplication.trial_id == trial_id, TrialApplication.user_id == user.id,
            TrialApplication.status.in_(statuses))


def confirm(trial_id, user):
    """A selected fan takes their place; Conflict trial_full when the places are gone."""
    trial = get_trial(trial_id)
    with transaction():
        mine = db.session.execute(
            update(TrialApplication).where(*_mine(trial.id, user, "selected"))
            .values(status="confirmed", decided_at=utcnow())
            .returning(TrialApplication.id)).first()
        if mine is None:
            raise Conflict(_("You have no place to confirm in this trial."),
                           code="not_selected")
        taken = db.session.execute(
            update(Trial).where(Trial.id == trial.id, Trial.places_taken < Trial.places)
            .values(places_taken=Trial.places_taken + 1).returning(Trial.id)).first()
        if taken is None:
            raise Conflict(_("Sorry, every place in this trial is taken."), code="trial_full")
    return db.session.get(TrialApplication, mine.id, populate_existing=True)


def decline(trial_id, user):
    """A selected (or confirmed) fan gives their place back; it goes to the next fan on
    the shortlist, who is told."""
    trial = get_trial(trial_id)
    with transaction():
        was = db.session.execute(
            select(TrialApplication.status).where(*_mine(trial.id, user, "selected",
                                                         "confirmed"))).scalar()
        mine = db.session.execute(
            update(TrialApplication).where(*_mine(trial.id, user, "selected", "confirmed"))
            .values(status="declined", decided_at=utcnow())
            .returning(TrialApplication.id)).first()
        if mine is None:
            raise Conflict(_("You have no place to decline in this trial."),
                           code="not_selected")
        if was == "confirmed":
            db.session.execute(update(Trial).where(Trial.id == trial.id)
                               .values(places_taken=Trial.places_taken - 1))
        _refill(trial.id)
    return db.session.get(TrialApplication, mine.id, populate_existing=True)


def _refill(trial_id):
    """Offer the free places to the next fans on the shortlist."""
    free = free_places(trial_id)
    if free <= 0:
        return []
    following = db.session.scalars(
        select(TrialApplication.id).where(and_(TrialApplication.trial_id == trial_id,
                                               TrialApplication.status == "shortlisted"))
        .order_by(TrialApplication.rank.is_(None), TrialApplication.rank, TrialApplication.id)
        .limit(free)).all()
    if following:
        _offer(following)
    return following
