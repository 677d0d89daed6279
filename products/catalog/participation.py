"""Fans join a product as participants; with the proposers of its ideas they are its
co-creators, credited for good (there is no leaving)."""

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from community.compiled import rows_among
from community.database import insert_ignore, transaction, utcnow
from community.errors import Conflict, Forbidden, NotFound
from community.extensions import db

from . import signals
from .models import CoCreator, Product


def ensure_can_join(user):
    if user is None or not user.is_authenticated:
        raise Forbidden(_("Sign in to join the product."), code="sign_in_required")
    if user.is_banned:
        raise Forbidden(_("Your account is banned and cannot join products."), code="banned")


def join(product, user):
    """Make the user a participant. Returns True when they joined now, False when they
    already were a co-creator (joining twice changes nothing)."""
    ensure_can_join(user)
    with transaction():
        # The row lock (PostgreSQL) keeps a cancellation from slipping in between.
        stage = db.session.scalar(
            select(Product.stage).where(Product.id == product.id).with_for_update())
        if stage is None:
            raise NotFound(_("No such product."))
        if stage == "cancelled":
            raise Conflict(_("This product was cancelled and takes no new participants."),
                           code="product_cancelled")
        joined = insert_ignore(CoCreator, product_id=product.id, user_id=user.id,
                               source="participant", created_at=utcnow())
        if joined:
            count = db.session.execute(
                update(Product).where(Product.id == product.id)
                .values(cocreator_count=Product.cocreator_count + 1)
                .returning(Product.cocreator_count)
            ).scalar_one()
            set_committed_value(product, "cocreator_count", count)
            signals.product_joined.send(product, user=user)
    return joined


def is_cocreator(product_id, user):
    """Whether the user is a co-creator (proposer or participant) of the product."""
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(
        select(CoCreator.user_id).where(CoCreator.product_id == product_id,
                                        CoCreator.user_id == user.id)) is not None


# Built once and run on the connection: every signed-in product page asks.
_COCREATING = select(CoCreator.product_id).where(
    CoCreator.user_id == bindparam("user_id"),
    CoCreator.product_id.in_(bindparam("ids", expanding=True)))


def cocreating(user, product_ids):
    """Which of these products ("id" strings, as holes give them) the user co-creates:
    the page holes' predicate (community/pageholes.py)."""
    if user is None or not user.is_authenticated or not product_ids:
        return set()
    return {str(row[0]) for row in rows_among(
        _COCREATING, [int(i) for i in product_ids], user_id=user.id)}


def cocreator_ids(product_id, user_ids):
    """Which of these users are co-creators of the product, in one query."""
    if not user_ids:
        return set()
    return set(db.session.scalars(
        select(CoCreator.user_id).where(CoCreator.product_id == product_id,
                                        CoCreator.user_id.in_(list(user_ids)))))


def cocreators(product_id, limit=24, offset=0):
    """Co-creators with their users: proposers first, then participants as they joined.

    The total is the product's cocreator_count, so no count query is needed.
    """
    return db.session.scalars(
        select(CoCreator).where(CoCreator.product_id == product_id)
        # 'proposer' sorts after 'participant': descending puts proposers first.
        .order_by(CoCreator.source.desc(), CoCreator.created_at, CoCreator.user_id)
        .limit(limit).offset(offset)
    ).all()


def products_of(user_id, limit=50):
    """The products a user co-created, newest first (a profile can list them)."""
    return db.session.scalars(
        select(Product).join(CoCreator, CoCreator.product_id == Product.id)
        .where(CoCreator.user_id == user_id).order_by(Product.id.desc()).limit(limit)
    ).all()
