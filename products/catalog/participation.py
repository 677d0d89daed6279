"""Fans join a product as participants; with the proposers of its ideas they are its
co-creators. Who may join, and who holds the rights, is cocreation.py's to say; staff
grant co-creation to a named fan and take a participant's place back."""

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from community.accounts import service as accounts
from community.accounts.models import User
from community.accounts.rows import AUTHOR_COLUMNS, Author
from community.forum.moderation import ensure_staff
from community.kernel import reads
from community.kernel.compiled import rows_among
from community.kernel.database import insert_ignore, transaction, utcnow
from community.kernel.errors import Conflict, NotFound
from community.kernel.extensions import db

from . import cocreation, signals
from .models import CoCreator, Product


def _open_for_joining(product):
    """Inside the transaction: the product exists and is not cancelled. The row lock
    (PostgreSQL) keeps a cancellation from slipping in between."""
    stage = db.session.scalar(
        select(Product.stage).where(Product.id == product.id).with_for_update())
    if stage is None:
        raise NotFound(_("No such product."))
    if stage == "cancelled":
        raise Conflict(_("This product was cancelled and takes no new participants."),
                       code="product_cancelled")


def _add(product, user, **values):
    """Inside the transaction: the participant row and the counter; False if one was there."""
    joined = insert_ignore(CoCreator, product_id=product.id, user_id=user.id,
                           source="participant", created_at=utcnow(), **values)
    if joined:
        _count(product, +1)
        signals.product_joined.send(product, user=user)
    return joined


def _count(product, step):
    count = db.session.execute(
        update(Product).where(Product.id == product.id)
        .values(cocreator_count=Product.cocreator_count + step)
        .returning(Product.cocreator_count)
    ).scalar_one()
    set_committed_value(product, "cocreator_count", count)


def join(product, user):
    """Make the user a participant. Returns True when they joined now, False when they
    already were a co-creator (joining twice changes nothing). Forbidden, saying what to
    do, when they have not earned it (cocreation.ensure_can_join)."""
    if is_cocreator(product.id, user):
        return False
    cocreation.ensure_can_join(product, user)
    with transaction():
        _open_for_joining(product)
        return _add(product, user)


def grant(product, actor, username):
    """Staff make a named fan a co-creator without a contribution, recorded with who did
    it; a co-creator already there keeps their row and gains the grant. Returns the user."""
    ensure_staff(actor)
    try:
        user = accounts.get_by_username(username)
    except NotFound as error:
        raise NotFound(error.message, field="username") from None
    cocreation.ensure_can_be_granted(user)
    now = utcnow()
    with transaction():
        _open_for_joining(product)
        if not _add(product, user, granted_by_id=actor.id, granted_at=now):
            db.session.execute(update(CoCreator).where(
                CoCreator.product_id == product.id, CoCreator.user_id == user.id)
                .values(granted_by_id=actor.id, granted_at=now))
    return user


def revoke(product, actor, user_id):
    """Staff take back a participant's co-creation (granted or joined). Proposers stay
    credited for good. A fan who earns it on their own may join again."""
    ensure_staff(actor)
    with transaction():
        row = db.session.get(CoCreator, (product.id, user_id), populate_existing=True)
        if row is None:
            raise NotFound(_("That fan is not a co-creator of this product."))
        if row.source == "proposer":
            raise Conflict(_("Proposers of the product's ideas stay its co-creators."),
                           code="proposer")
        db.session.execute(delete(CoCreator).where(CoCreator.product_id == product.id,
                                                   CoCreator.user_id == user_id))
        _count(product, -1)


def granted(product_id):
    """The product's co-creators by staff grant, newest first, for the staff page."""
    return db.session.scalars(
        select(CoCreator).where(CoCreator.product_id == product_id,
                                CoCreator.granted_by_id.is_not(None))
        .options(selectinload(CoCreator.granted_by)).order_by(CoCreator.granted_at.desc(), CoCreator.user_id)).all()


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
    the page holes' predicate (community/web/pagecache/holes.py)."""
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


class CoCreatorRow:
    """A co-creator as the product page names them: `source`, and `user` an Author."""

    __slots__ = ("source", "user")

    def __init__(self, source, user):
        self.source, self.user = source, user


# Built once and run on the driver: a product page lists two dozen, each with their name.
_COCREATORS = (
    select(CoCreator.source, *AUTHOR_COLUMNS).join(User, User.id == CoCreator.user_id)
    .where(CoCreator.product_id == bindparam("product_id"))
    # 'proposer' sorts after 'participant': descending puts proposers first.
    .order_by(CoCreator.source.desc(), CoCreator.created_at, CoCreator.user_id)
    .limit(bindparam("limit")).offset(bindparam("offset")))


def cocreators(product_id, limit=24, offset=0):
    """Co-creators as CoCreatorRows: proposers first, then participants as they joined.

    The total is the product's cocreator_count, so no count query is needed.
    """
    return [CoCreatorRow(source, Author(*author)) for source, *author in
            reads.rows_of(_COCREATORS, product_id=product_id, limit=limit, offset=offset)]


def products_of(user_id, limit=50):
    """The products a user co-created, newest first (a profile can list them)."""
    return db.session.scalars(
        select(Product).join(CoCreator, CoCreator.product_id == Product.id)
        .where(CoCreator.user_id == user_id).order_by(Product.id.desc()).limit(limit)
    ).all()
