"""The reviews and questions on the product page: a template global the page calls
(catalog never imports this package). What it draws is the same for every reader; what is
a reader's own is left as holes (the predicates in wiring.py).

Its reviews and questions are read as rows by statements built once and run on the
driver (community/kernel/compiled.py): every product page draws the section, most with
few or none, and the ORM's loads cost more than the page's other lists together. The
reviews page and the API keep service.reviews_of and questions.questions_of."""

from datetime import datetime
from typing import NamedTuple

from flask import render_template
from markupsafe import Markup
from sqlalchemy import bindparam, select

from community.accounts.models import User
from community.accounts.rows import AUTHOR_COLUMNS, Author
from community.kernel.reads import moment, rows_among, rows_of

from . import service
from .models import Answer, Question, Review

REVIEWS_SHOWN = 3
QUESTIONS_SHOWN = 5


class ShownReview(NamedTuple):
    id: int
    rating: int
    body: str
    variant_label: str | None
    helpful_count: int
    created_at: datetime
    edited_at: datetime | None
    author: Author


class ShownAnswer(NamedTuple):
    id: int
    body: str
    bought: bool
    by_staff: bool
    author: Author


class ShownQuestion(NamedTuple):
    id: int
    body: str
    pinned_answer_id: int | None
    author: Author
    answers: list  # ShownAnswers, the pinned one first


# service.reviews_of(product_id, "helpful")'s first page, with each author's name.
_TOP_REVIEWS = (
    select(Review.id, Review.rating, Review.body, Review.variant_label, Review.helpful_count,
           Review.created_at, Review.edited_at, *AUTHOR_COLUMNS)
    .join(User, User.id == Review.author_id)
    .where(Review.product_id == bindparam("product_id"), service.SHOWN)
    .order_by(*service.ORDERS["helpful"]).limit(REVIEWS_SHOWN))
# questions.questions_of's first page, and their answers in order (questions_of_ids).
_NEWEST_QUESTIONS = (
    select(Question.id, Question.body, Question.pinned_answer_id, *AUTHOR_COLUMNS)
    .join(User, User.id == Question.author_id)
    .where(Question.product_id == bindparam("product_id"))
    .order_by(Question.id.desc()).limit(QUESTIONS_SHOWN))
_ANSWERS = (
    select(Answer.question_id, Answer.id, Answer.body, Answer.bought, Answer.by_staff,
           *AUTHOR_COLUMNS)
    .join(User, User.id == Answer.author_id)
    .where(Answer.question_id.in_(bindparam("ids", expanding=True))).order_by(Answer.id))


def top_reviews(product_id):
    return [ShownReview(review_id, rating, body, variant, helpful, moment(created),
                        moment(edited), Author(*author))
            for review_id, rating, body, variant, helpful, created, edited, *author
            in rows_of(_TOP_REVIEWS, product_id=product_id)]


def newest_questions(product_id):
    questions = [ShownQuestion(question_id, body, pinned, Author(*author), [])
                 for question_id, body, pinned, *author
                 in rows_of(_NEWEST_QUESTIONS, product_id=product_id)]
    if questions:
        by_id = {question.id: question for question in questions}
        for question_id, answer_id, body, bought, by_staff, *author in rows_among(
                _ANSWERS, list(by_id)):
            by_id[question_id].answers.append(
                ShownAnswer(answer_id, body, bool(bought), bool(by_staff), Author(*author)))
        for question in questions:  # the pinned answer first, the rest in order
            question.answers.sort(key=lambda answer, q=question: answer.id != q.pinned_answer_id)
    return questions


def product_reviews(product):
    reviews = top_reviews(product.id)
    # bandit B704, reviewed: the output of an autoescaped template, placed in another.
    return Markup(render_template(  # nosec B704
        "products/reviews/_section.html", product=product, summary=service.summary(product.id),
        reviews=reviews, photos=service.photos_of(reviews),
        questions=newest_questions(product.id)))
