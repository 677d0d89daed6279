"""Reviews: who may write one (a buyer whose order was delivered, once per order), the
rating summary, the lists, and helpful marks."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from community.forum.service import ensure_can_post
from community.kernel.database import insert_ignore, transaction, utcnow
from community.kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from community.kernel.extensions import db
from community.kernel.reads import rows_of
from community.media import service as media
from community.web.pagination import Page

from ..campaigns.models import Campaign
from ..catalog.models import Product
from ..orders.models import Order
from .models import Review, ReviewHelpful

MAX_BODY = 5000
SORTS = ("helpful", "newest")
# The one rule of which reviews show (staff and reports hide them) and how each sort
# orders them: the reviews page, the API and the product page's rows (page.py) share them.
SHOWN = Review.hidden.is_(False)
ORDERS = {"helpful": (Review.helpful_count.desc(), Review.id.desc()), "newest": (Review.id.desc(),)}
# A verified buyer may attach this many photos whatever their level (media.allowance).
PHOTO_FLOOR = 6
KIND = "review"


@dataclass
class Summary:
    count: int = 0
    average: float = 0.0
    # {stars: reviews}, 5 down to 1.
    distribution: dict = field(default_factory=lambda: dict.fromkeys(range(5, 0, -1), 0))

    def share(self, stars):
        return round(100 * self.distribution[stars] / self.count) if self.count else 0


def check_rating(rating):
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError(_("Give 1 to 5 stars."), field="rating", code="bad_rating")
    return rating


def check_body(body, limit=MAX_BODY, name="body"):
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write a few words."), field=name, code="empty")
    if len(body) > limit:
        raise ValidationError(_("Use at most %(n)d characters.", n=limit), field=name,
                              code="too_long")
    return body


_DELIVERED = (Order.state == "confirmed") & (Order.fulfilment_status == "delivered")


def reviewable_orders(product_id, user):
    """The user's delivered orders of the product that have no review yet."""
    if user is None or not user.is_authenticated:
        return []
    return list(db.session.scalars(
        select(Order).join(Campaign, Campaign.id == Order.campaign_id)
        .where(Campaign.product_id == product_id, Order.buyer_id == user.id, _DELIVERED,
               ~exists().where(Review.order_id == Order.id))
        .order_by(Order.id)))


def check_order_product(order_id, user, product_id):
    """NotFound unless the order is the user's and of this product."""
    order = db.session.get(Order, order_id)
    if order is None or order.buyer_id != user.id or order.campaign.product_id != product_id:
        raise NotFound(_("No such order."))


def create_review(order_id, user, rating, body, images=()):
    """Review the product of a delivered order; `images` from media.prepare()."""
    rating, body = check_rating(rating), check_body(body)
    ensure_can_post(user, need_verified=False)
    order = db.session.get(Order, order_id) if isinstance(order_id, int) else None
    if order is None or order.buyer_id != user.id:
        raise NotFound(_("No such order."))
    if order.state != "confirmed" or order.fulfilment_status != "delivered":
        raise Conflict(_("You can review a product once your order has been delivered."),
                       code="not_delivered")
    try:
        with media.pending(images) as stored, transaction():
            review = Review(product_id=order.campaign.product_id, order_id=order.id,
                            author_id=user.id, rating=rating, body=body,
                            variant_label=order.variant_label, created_at=utcnow())
            db.session.add(review)
            db.session.flush()
            media.add_rows(stored, KIND, review.id, user.id)
    except IntegrityError:
        raise Conflict(_("You have already reviewed this order."), field="order",
                       code="already_reviewed") from None
    return review


def get_review(review_id):
    review = db.session.get(Review, review_id)
    if review is None:
        raise NotFound(_("No such review."))
    return review


def own_review(review_id, user):
    review = get_review(review_id)
    if user is None or not user.is_authenticated or review.author_id != user.id:
        raise Forbidden(_("Only its author can edit a review."), code="not_author")
    return review


def edit_review(review_id, user, rating, body, images=(), remove=()):
    """The author changes their rating and text, adds photos and takes some off."""
    review = own_review(review_id, user)
    rating, body = check_rating(rating), check_body(body)
    ensure_can_post(user, need_verified=False)
    with media.pending(images) as stored, transaction():
        db.session.execute(update(Review).where(Review.id == review.id,
                                                Review.author_id == user.id)
                           .values(rating=rating, body=body, edited_at=utcnow()))
        media.add_rows(stored, KIND, review.id, user.id)
    media.remove(KIND, review.id, remove)
    db.session.refresh(review)
    return review


def mark_helpful(review_id, user):
    """(marked now, the review's count): once per fan; never one's own review."""
    review = get_review(review_id)
    ensure_can_post(user, need_verified=False)
    if review.author_id == user.id:
        raise Forbidden(_("You cannot mark your own review helpful."), code="own_review")
    with transaction():
        marked = insert_ignore(ReviewHelpful, review_id=review.id, user_id=user.id,
                               created_at=utcnow())
        query = update(Review).where(Review.id == review.id)
        if marked:
            query = query.values(helpful_count=Review.helpful_count + 1)
        else:
            query = query.values(helpful_count=Review.helpful_count)
        count = db.session.execute(query.returning(Review.helpful_count)).scalar_one()
    return marked, count


def helpful_ids(user, review_ids):
    if not user.is_authenticated or not review_ids:
        return set()
    return {str(rid) for rid in db.session.scalars(
        select(ReviewHelpful.review_id).where(ReviewHelpful.user_id == user.id,
                                              ReviewHelpful.review_id.in_(review_ids)))}


def authored_ids(user, review_ids):
    if not user.is_authenticated or not review_ids:
        return set()
    return {str(rid) for rid in db.session.scalars(
        select(Review.id).where(Review.author_id == user.id, Review.id.in_(review_ids)))}


# Built once and run on the driver: every product page shows it.
_DISTRIBUTION = (select(Review.rating, func.count())
                 .where(Review.product_id == bindparam("product_id"), SHOWN)
                 .group_by(Review.rating))


def summary(product_id):
    found = Summary()
    for rating, count in rows_of(_DISTRIBUTION, product_id=product_id):
        found.distribution[rating] = count
    found.count = sum(found.distribution.values())
    if found.count:
        total = sum(stars * n for stars, n in found.distribution.items())
        found.average = round(total / found.count, 1)
    return found


def reviews_of(product_id, sort="helpful", page=1, per_page=10):
    """A Page of the product's reviews, most helpful or newest first."""
    if sort not in SORTS:
        raise ValidationError(_("Sort by helpful or newest."), field="sort", code="bad_sort")
    rows = list(db.session.scalars(
        select(Review).where(Review.product_id == product_id, SHOWN)
        .order_by(*ORDERS[sort])
        .offset((page - 1) * per_page).limit(per_page + 1)))
    return Page(items=rows[:per_page], page=page, per_page=per_page,
                has_next=len(rows) > per_page)


def photos_of(reviews):
    return media.images_of(KIND, [review.id for review in reviews])


def product_of(review):
    return db.session.get(Product, review.product_id)


def product_slug(product_id):
    return db.session.scalar(select(Product.slug).where(Product.id == product_id))
