"""A product's stages: concept, co-creation, pre-order, in production, shipped, cancelled.

Staff move a product between stages with a note; every move is a timeline row written
in the same transaction. Shipped and cancelled are final. Moving backwards is allowed
(a failed pre-order goes back to co-creation).
"""

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from community.forum.moderation import ensure_staff
from community.kernel.database import transaction, utcnow
from community.kernel.errors import Conflict, NotFound, ValidationError
from community.kernel.extensions import db

from . import signals
from .labels import STAGE_NAMES
from .models import STAGES, Product, StageChange

FINAL = ("shipped", "cancelled")
MAX_NOTE = 5000


def stage_label(stage):
    return str(STAGE_NAMES.get(stage, stage))


def open_timeline(product, actor):
    """The first timeline row of a new product, inside the caller's transaction."""
    change = StageChange(product_id=product.id, actor_id=actor.id, from_stage=None,
                         to_stage=product.stage, created_at=product.created_at)
    db.session.add(change)
    return change


def record_stage(product, actor, to_stage, note=""):
    """Move a product to a stage inside the caller's transaction, with its timeline row.

    For other use cases too (a campaign going live moves its product to pre-order).
    Returns the StageChange, or None when the product is at that stage already, so a
    job that runs twice changes nothing the second time.
    """
    if to_stage not in STAGES:
        raise ValidationError(_("Unknown stage %(stage)s.", stage=to_stage), field="stage",
                              code="unknown_stage")
    current = db.session.get(Product, product.id, populate_existing=True)
    if current is None:
        raise NotFound(_("No such product."))
    if current.stage == to_stage:
        return None
    if current.stage in FINAL:
        raise Conflict(_("The product is %(stage)s: its stage no longer changes.",
                         stage=stage_label(current.stage)), field="stage", code="stage_final")
    now, from_stage = utcnow(), current.stage
    # Conditional on the stage read above: of two staff moving it at once, one wins.
    moved = db.session.execute(
        update(Product).where(Product.id == current.id, Product.stage == from_stage)
        .values(stage=to_stage, stage_changed_at=now)
    ).rowcount
    if moved != 1:
        raise Conflict(_("The stage changed meanwhile; reload and try again."), field="stage",
                       code="stage_changed")
    change = StageChange(product_id=current.id, actor_id=actor.id, from_stage=from_stage,
                         to_stage=to_stage, note=note, created_at=now)
    db.session.add(change)
    db.session.flush()
    set_committed_value(current, "stage", to_stage)
    set_committed_value(current, "stage_changed_at", now)
    signals.product_stage_changed.send(current, change=change, actor=actor)
    return change


def set_stage(product, actor, stage, note=""):
    """Staff move a product to another stage, with an optional note for the timeline."""
    ensure_staff(actor)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(_("Keep the note under %(n)d characters.", n=MAX_NOTE), field="note")
    if stage not in STAGES:
        raise ValidationError(_("Unknown stage %(stage)s.", stage=stage), field="stage",
                              code="unknown_stage")
    with transaction():
        change = record_stage(product, actor, stage, note)
        if change is None:
            raise ValidationError(_("The product is already at that stage."), field="stage",
                                  code="same_stage")
    return change
