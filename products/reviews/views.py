"""Review and question pages: thin views over service.py and questions.py."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.kernel.errors import DomainError
from community.media import service as media
from community.web import ratelimits
from community.web.forms import choices
from community.web.http import apply_error, int_arg, page_arg, text_arg
from community.web.pagecache import public_page

from ..catalog.catalog import get_product
from . import questions, service
from .forms import AnswerForm, EditReviewForm, QuestionForm, ReviewForm

bp = Blueprint("reviews", __name__)
PER_PAGE = 10


@bp.get("/products/<slug>/reviews")
@public_page(members=True)
def index(slug):
    product = get_product(slug)
    sort = text_arg("sort", "helpful")
    if sort not in service.SORTS:
        sort = "helpful"
    page = service.reviews_of(product.id, sort, page_arg(), PER_PAGE)
    return render_template("products/reviews/index.html", product=product, page=page, sort=sort,
                           summary=service.summary(product.id),
                           photos=service.photos_of(page.items))


def _product_reviews_url(product, review=None):
    return url_for("catalog.show", slug=product.slug, tab="comments",
                   _anchor=f"review-{review.id}" if review else "reviews")


@bp.route("/products/<slug>/reviews/new", methods=["GET", "POST"])
@login_required
@ratelimits.posting
def new(slug):
    product = get_product(slug)
    orders = service.reviewable_orders(product.id, current_user)
    if not orders:
        flash(_("You can review a product once your order has been delivered."), "info")
        return redirect(_product_reviews_url(product))
    form = ReviewForm()
    form.order.choices = choices(
        (o.id, _("Order #%(id)d", id=o.id) + (f" · {o.variant_label}" if o.variant_label else ""))
        for o in orders)
    if form.validate_on_submit():
        try:
            images = media.prepare(request.files.getlist("images"), current_user,
                                   floor=service.PHOTO_FLOOR)
            review = service.create_review(form.order.data, current_user, form.rating.data,
                                           form.body.data, images)
        except DomainError as error:
            apply_error(form, error)
        else:
            flash(_("Thanks: your review is up."), "success")
            return redirect(_product_reviews_url(product, review))
    status = 422 if request.method == "POST" else 200
    return render_template("products/reviews/edit.html", product=product, form=form,
                           review=None), status


@bp.route("/reviews/<int:review_id>/edit", methods=["GET", "POST"])
@login_required
def edit(review_id):
    review = service.own_review(review_id, current_user)
    product = service.product_of(review)
    photos = service.photos_of([review]).get(review.id, [])
    form = EditReviewForm(obj=review)
    form.remove.choices = choices((p.id, _("Photo %(n)d", n=n)) for n, p in enumerate(photos, 1))
    if form.validate_on_submit():
        kept = len(photos) - len(set(form.remove.data or ()))
        try:
            images = media.prepare(request.files.getlist("images"), current_user,
                                   already=kept, floor=service.PHOTO_FLOOR)
            service.edit_review(review.id, current_user, form.rating.data, form.body.data,
                                images, form.remove.data or ())
        except DomainError as error:
            apply_error(form, error)
        else:
            flash(_("Your review was updated."), "success")
            return redirect(_product_reviews_url(product, review))
    status = 422 if request.method == "POST" else 200
    return render_template("products/reviews/edit.html", product=product, form=form,
                           review=review, photos=photos), status


@bp.post("/reviews/<int:review_id>/helpful")
@login_required
def helpful(review_id):
    review = service.get_review(review_id)
    try:
        marked, count = service.mark_helpful(review.id, current_user)
    except DomainError as error:
        if request.accept_mimetypes.best == "application/json":
            return {"error": {"code": error.code, "message": error.message}}, error.status
        flash(error.message, "error")
    else:
        if request.accept_mimetypes.best == "application/json":
            return {"marked": True, "helpful_count": count}
        flash(_("Thanks for the mark.") if marked else _("You marked this review already."),
              "success" if marked else "info")
    return redirect(_product_reviews_url(service.product_of(review), review))


@bp.post("/products/<slug>/questions")
@login_required
@ratelimits.posting
def ask(slug):
    product = get_product(slug)
    form = QuestionForm()
    if not form.validate_on_submit():
        flash(_("Write your question (at most %(n)d characters).", n=questions.MAX_QUESTION),
              "error")
    else:
        try:
            question = questions.ask(product.id, current_user, form.body.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Your question is up: buyers and staff can answer it."), "success")
            return redirect(url_for("catalog.show", slug=product.slug, tab="comments",
                                    _anchor=f"question-{question.id}"))
    return redirect(url_for("catalog.show", slug=product.slug, tab="comments", _anchor="questions"))


@bp.post("/questions/<int:question_id>/answers")
@login_required
@ratelimits.posting
def answer(question_id):
    question = questions.get_question(question_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Write your answer (at most %(n)d characters).", n=questions.MAX_ANSWER), "error")
    else:
        try:
            questions.answer(question.id, current_user, form.body.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Thanks for answering."), "success")
    return redirect(_question_url(question))


@bp.post("/questions/<int:question_id>/pin")
@login_required
def pin(question_id):
    question = questions.get_question(question_id)
    answer_id = int_arg("answer_id", None, values=request.form)
    try:
        questions.pin(question.id, answer_id, current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Answer pinned.") if answer_id else _("Answer unpinned."), "success")
    return redirect(_question_url(question))


def _question_url(question):
    return url_for("catalog.show", slug=service.product_slug(question.product_id), tab="comments",
                   _anchor=f"question-{question.id}")
