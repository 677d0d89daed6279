"""Product questions: anyone signed in asks; buyers (marked "bought it") and staff answer;
staff pin the best answer, which shows first."""

from flask_babel import gettext as _
from sqlalchemy import exists, select, update

from community.forum.moderation import ensure_staff
from community.forum.service import ensure_can_post
from community.kernel.database import transaction, utcnow
from community.kernel.errors import Forbidden, NotFound
from community.kernel.extensions import db
from community.web.pagination import Page

from ..campaigns.models import Campaign
from ..orders.models import Order
from .models import Answer, Question
from .service import check_body

MAX_QUESTION = 1000
MAX_ANSWER = 3000


def has_bought(user_id, product_id):
    """The user has a confirmed pre-order of the product."""
    return bool(db.session.scalar(select(exists().where(
        Order.buyer_id == user_id, Order.state == "confirmed",
        Order.campaign_id.in_(select(Campaign.id).where(Campaign.product_id == product_id))))))


def ask(product_id, user, body):
    body = check_body(body, MAX_QUESTION)
    ensure_can_post(user, need_verified=False)
    with transaction():
        question = Question(product_id=product_id, author_id=user.id, body=body,
                            created_at=utcnow())
        db.session.add(question)
    return question


def get_question(question_id):
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(_("No such question."))
    return question


def answer(question_id, user, body):
    question = get_question(question_id)
    body = check_body(body, MAX_ANSWER)
    ensure_can_post(user, need_verified=False)
    staff = bool(user.is_staff)
    bought = has_bought(user.id, question.product_id)
    if not staff and not bought:
        raise Forbidden(_("Only buyers of this product and staff can answer."),
                        code="buyers_only")
    with transaction():
        found = Answer(question_id=question.id, author_id=user.id, body=body, bought=bought,
                       by_staff=staff, created_at=utcnow())
        db.session.add(found)
        db.session.execute(update(Question).where(Question.id == question.id)
                           .values(answer_count=Question.answer_count + 1))
    return found


def pin(question_id, answer_id, actor):
    """Staff pin an answer of this question as the best (None unpins)."""
    ensure_staff(actor)
    question = get_question(question_id)
    if answer_id is not None:
        found = db.session.get(Answer, answer_id) if isinstance(answer_id, int) else None
        if found is None or found.question_id != question.id:
            raise NotFound(_("No such answer."))
    with transaction():
        db.session.execute(update(Question).where(Question.id == question.id)
                           .values(pinned_answer_id=answer_id))
    db.session.refresh(question)
    return question


def questions_of(product_id, page=1, per_page=10):
    """A Page of questions, newest first, each with .answers (the pinned one first)."""
    rows = list(db.session.scalars(
        select(Question).where(Question.product_id == product_id)
        .order_by(Question.id.desc()).offset((page - 1) * per_page).limit(per_page + 1)))
    rows, has_next = rows[:per_page], len(rows) > per_page
    answers = questions_of_ids([q.id for q in rows])
    for question in rows:
        found = answers.get(question.id, [])
        question.answers = sorted(found, key=lambda a: a.id != question.pinned_answer_id)
    return Page(items=rows, page=page, per_page=per_page, has_next=has_next)


def questions_of_ids(question_ids):
    """{question id: [Answer, ...]} in order, in one query."""
    answers = {}
    if question_ids:
        for found in db.session.scalars(select(Answer).where(
                Answer.question_id.in_(question_ids)).order_by(Answer.id)):
            answers.setdefault(found.question_id, []).append(found)
    return answers
