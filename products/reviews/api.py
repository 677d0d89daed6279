"""Reviews and questions over the JSON API. Photos are attached on the web form."""

from flask_babel import gettext as _

from community.api.core import (
    USER,
    api_blueprint,
    iso,
    json_body,
    page_args,
    require_user,
    staff_required,
    token_required,
    user_json,
)
from community.api.openapi import api_doc, define_schema, page_of
from community.kernel.errors import ValidationError
from community.web.http import text_arg
from community.web.site import absolute_url

from ..catalog.catalog import get_product
from . import questions, service

bp = api_blueprint("reviews_api", __name__)

STAMP_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
REVIEW = define_schema("Review", {
    "type": "object",
    "required": ["id", "product", "author", "rating", "body", "verified_buyer", "variant",
                 "helpful_count", "photos", "created_at", "edited_at"],
    "properties": {
        "id": {"type": "integer"}, "product": {"type": "string", "description": "Its slug."},
        "author": USER, "rating": {"type": "integer", "minimum": 1, "maximum": 5},
        "body": {"type": "string"}, "verified_buyer": {"type": "boolean"},
        "variant": {"type": ["string", "null"], "description": "The variant bought."},
        "helpful_count": {"type": "integer", "minimum": 0},
        "photos": {"type": "array", "items": {
            "type": "object", "required": ["url", "thumbnail_url", "width", "height"],
            "properties": {"url": {"type": "string"}, "thumbnail_url": {"type": "string"},
                           "width": {"type": "integer"}, "height": {"type": "integer"}}}},
        "created_at": {"type": "string", "format": "date-time"}, "edited_at": STAMP_OR_NULL,
    },
})
SUMMARY = define_schema("RatingSummary", {
    "type": "object", "required": ["count", "average", "distribution"],
    "properties": {"count": {"type": "integer"}, "average": {"type": "number"},
                   "distribution": {"type": "object", "description": "Reviews by stars, '1'-'5'.",
                                    "additionalProperties": {"type": "integer"}}},
})
REVIEW_PAGE = {"allOf": [page_of(REVIEW), {"type": "object", "required": ["summary"],
                                           "properties": {"summary": SUMMARY}}]}
BODY = {"type": "string", "minLength": 1}
NEW_REVIEW = {
    "type": "object", "required": ["order_id", "rating", "body"], "additionalProperties": False,
    "properties": {"order_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1,
                                "description": "Your delivered pre-order of this product."},
                   "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                   "body": dict(BODY, maxLength=service.MAX_BODY)},
}
EDIT_REVIEW = {
    "type": "object", "required": ["rating", "body"], "additionalProperties": False,
    "properties": {"rating": {"type": "integer", "minimum": 1, "maximum": 5},
                   "body": dict(BODY, maxLength=service.MAX_BODY)},
}
HELPFUL = {"type": "object", "required": ["marked", "helpful_count"],
           "properties": {"marked": {"type": "boolean",
                                     "description": "False when you had marked it already."},
                          "helpful_count": {"type": "integer"}}}
ANSWER = define_schema("ProductAnswer", {
    "type": "object", "required": ["id", "author", "body", "bought", "staff", "pinned",
                                   "created_at"],
    "properties": {"id": {"type": "integer"}, "author": USER, "body": {"type": "string"},
                   "bought": {"type": "boolean", "description": "The author bought it."},
                   "staff": {"type": "boolean"}, "pinned": {"type": "boolean"},
                   "created_at": {"type": "string", "format": "date-time"}},
})
QUESTION = define_schema("ProductQuestion", {
    "type": "object", "required": ["id", "author", "body", "answers", "pinned_answer_id",
                                   "created_at"],
    "properties": {"id": {"type": "integer"}, "author": USER, "body": {"type": "string"},
                   "answers": {"type": "array", "items": ANSWER},
                   "pinned_answer_id": {"type": ["integer", "null"]},
                   "created_at": {"type": "string", "format": "date-time"}},
})
TEXT_BODY = {"type": "object", "required": ["body"], "additionalProperties": False,
             "properties": {"body": dict(BODY, maxLength=questions.MAX_ANSWER)}}
QUESTION_BODY = {"type": "object", "required": ["body"], "additionalProperties": False,
                 "properties": {"body": dict(BODY, maxLength=questions.MAX_QUESTION)}}
PIN = {"type": "object", "required": ["answer_id"], "additionalProperties": False,
       "properties": {"answer_id": {"type": ["integer", "null"], "minimum": 1,
                                    "maximum": 2**31 - 1, "description": "null unpins."}}}


def review_json(review, photos=(), slug=None):
    return {"id": review.id, "product": slug or service.product_slug(review.product_id),
            "author": user_json(review.author), "rating": review.rating, "body": review.body,
            "verified_buyer": True, "variant": review.variant_label,
            "helpful_count": review.helpful_count,
            "photos": [{"url": absolute_url("media.image", name=p.name),
                        "thumbnail_url": absolute_url("media.image", name=p.thumb_name),
                        "width": p.width, "height": p.height} for p in photos],
            "created_at": iso(review.created_at), "edited_at": iso(review.edited_at)}


def question_json(question, answers=()):
    return {"id": question.id, "author": user_json(question.author), "body": question.body,
            "pinned_answer_id": question.pinned_answer_id, "created_at": iso(question.created_at),
            "answers": [answer_json(a, question) for a in answers]}


def answer_json(answer, question):
    return {"id": answer.id, "author": user_json(answer.author), "body": answer.body,
            "bought": answer.bought, "staff": answer.by_staff,
            "pinned": answer.id == question.pinned_answer_id, "created_at": iso(answer.created_at)}


@bp.get("/products/<slug>/reviews")
@api_doc("A product's reviews with its rating summary", tag="reviews", paged=True,
         query={"sort": {"type": "string", "enum": list(service.SORTS), "default": "helpful"}},
         responses={200: REVIEW_PAGE}, errors=(404,))
def reviews(slug):
    product = get_product(slug)
    sort = text_arg("sort", "helpful")
    if sort not in service.SORTS:
        raise ValidationError(_("Sort by helpful or newest."), field="sort", code="bad_query")
    page, per_page = page_args()
    found = service.reviews_of(product.id, sort, page, per_page)
    photos = service.photos_of(found.items)
    summary = service.summary(product.id)
    return {"items": [review_json(r, photos.get(r.id, ()), product.slug) for r in found.items],
            "page": page, "per_page": per_page, "has_next": found.has_next,
            "summary": {"count": summary.count, "average": summary.average,
                        "distribution": {str(k): v for k, v in summary.distribution.items()}}}


@bp.post("/products/<slug>/reviews")
@api_doc("Review a product you bought, once per delivered order", tag="reviews",
         request=NEW_REVIEW, responses={201: REVIEW}, errors=(404, 409),
         description="409 codes: not_delivered, already_reviewed. Photos go on the web form.")
@token_required
def create(slug):
    product = get_product(slug)
    body = json_body()
    user = require_user()
    orders = {o.id for o in service.reviewable_orders(product.id, user)}
    if body["order_id"] not in orders:
        # Not this product's, not delivered, or reviewed: the service says which.
        service.check_order_product(body["order_id"], user, product.id)
    review = service.create_review(body["order_id"], user, body["rating"], body["body"])
    return review_json(review, (), product.slug), 201


@bp.patch("/reviews/<int:review_id>")
@api_doc("Edit your review", tag="reviews", request=EDIT_REVIEW, responses={200: REVIEW},
         errors=(404,))
@token_required
def edit(review_id):
    body = json_body()
    review = service.edit_review(review_id, require_user(), body["rating"], body["body"])
    return review_json(review, service.photos_of([review]).get(review.id, ()))


@bp.post("/reviews/<int:review_id>/helpful")
@api_doc("Mark a review helpful (once; not your own)", tag="reviews",
         responses={200: HELPFUL}, errors=(404,))
@token_required
def helpful(review_id):
    marked, count = service.mark_helpful(review_id, require_user())
    return {"marked": marked, "helpful_count": count}


@bp.get("/products/<slug>/questions")
@api_doc("A product's questions with their answers, newest first", tag="reviews", paged=True,
         responses={200: page_of(QUESTION)}, errors=(404,))
def question_list(slug):
    product = get_product(slug)
    page, per_page = page_args()
    found = questions.questions_of(product.id, page, per_page)
    return {"items": [question_json(q, q.answers) for q in found.items], "page": page,
            "per_page": per_page, "has_next": found.has_next}


@bp.post("/products/<slug>/questions")
@api_doc("Ask about a product", tag="reviews", request=QUESTION_BODY,
         responses={201: QUESTION}, errors=(404,))
@token_required
def ask(slug):
    product = get_product(slug)
    body = json_body()
    return question_json(questions.ask(product.id, require_user(), body["body"])), 201


@bp.post("/questions/<int:question_id>/answers")
@api_doc("Answer a question (buyers of the product and staff)", tag="reviews",
         request=TEXT_BODY, responses={201: ANSWER}, errors=(404,),
         description="403 code buyers_only for anyone else.")
@token_required
def answer(question_id):
    body = json_body()
    found = questions.answer(question_id, require_user(), body["body"])
    return answer_json(found, questions.get_question(question_id)), 201


@bp.post("/questions/<int:question_id>/pin")
@api_doc("Pin the best answer of a question", tag="reviews", request=PIN,
         responses={200: QUESTION}, errors=(404,))
@staff_required
def pin(question_id):
    body = json_body()
    question = questions.pin(question_id, body["answer_id"], require_user())
    found = questions.questions_of_ids([question.id])
    return question_json(question, found.get(question.id, []))
