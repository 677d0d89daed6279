"""Reviews as report targets: registered with community/reports when the app starts (the
community never imports the store). Anyone may read a review, so anyone signed in may
report one; a hidden review is gone for everyone but staff, as a missing one."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from community.kernel.errors import NotFound
from community.kernel.extensions import db
from community.notifications.fanout import clip
from community.reports import targets
from community.reports.targets import Target

from ..catalog.models import Product
from .models import Review


def _product(review):
    return db.session.execute(select(Product.name, Product.slug)
                              .where(Product.id == review.product_id)).one()


def find_review(review_id, _viewer):
    review = db.session.get(Review, review_id)
    if review is None or review.hidden:
        raise NotFound(_("No such review."))
    _name, slug = _product(review)
    return Target("review", review.id, review.author_id, clip(review.body, 200),
                  lambda: url_for("catalog.show", slug=slug, tab="comments", _anchor=f"review-{review.id}"))


def review_context(review_id, _reporter_id):
    review = db.session.get(Review, review_id)
    name, slug = _product(review)
    return {"title": _("A review of %(product)s (%(stars)d/5)", product=name,
                       stars=review.rating),
            "author": review.author, "body_html": "", "body_text": review.body,
            "created_at": review.created_at, "hidden": review.hidden,
            "url": url_for("catalog.show", slug=slug, tab="comments", _anchor=f"review-{review.id}")}


def set_review_hidden(review_id, hidden):
    return db.session.execute(
        update(Review).where(Review.id == review_id, Review.hidden != hidden)
        .values(hidden=hidden).returning(Review.id)).first() is not None


def register():
    targets.register("review", _l("Review"), find_review, review_context, set_review_hidden)
