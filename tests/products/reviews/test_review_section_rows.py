"""The product page's reviews and questions (products/reviews/page.py) are read as rows:
they are what reviews_of and questions_of give the reviews page and the API, on both
databases: the most helpful visible reviews, the newest questions, their answers pinned
first."""

from helpers import make_user
from review_factories import place, shop
from sqlalchemy import update

from community.kernel.extensions import db
from products.reviews import page, questions
from products.reviews import service as reviews
from products.reviews.models import Review


def _seen(author):
    return (author.id, author.username, author.role, author.points, author.avatar)


def test_the_sections_rows_are_what_the_services_give(ctx):
    world = shop()
    staff, campaign, product = world["staff"], world["campaign"], world["product"]
    written = [reviews.create_review(world["order"], world["buyer"], 4, "Light and warm")]
    for n in range(4):
        buyer = make_user(f"buyer{n}")
        written.append(reviews.create_review(place(campaign, buyer, f"k{n + 2}", staff=staff),
                                             buyer, 1 + n, f"Review {n}"))
    db.session.execute(update(Review).where(Review.id == written[2].id).values(hidden=True))
    db.session.execute(update(Review).where(Review.id == written[3].id)
                       .values(helpful_count=5, variant_label="Moss"))
    db.session.commit()
    asker = make_user("asker")
    for n in range(7):
        question = questions.ask(product.id, asker, f"Question {n}?")
    first = questions.answer(question.id, world["buyer"], "Mine survived rain")
    pinned = questions.answer(question.id, staff, "Splash-proof")
    questions.pin(question.id, pinned.id, staff)
    db.session.expire_all()

    orm = reviews.reviews_of(product.id, "helpful", 1, page.REVIEWS_SHOWN).items
    shown = page.top_reviews(product.id)
    assert [(r.id, r.rating, r.body, r.variant_label, r.helpful_count, r.created_at,
             r.edited_at, _seen(r.author)) for r in orm] == [
        (r.id, r.rating, r.body, r.variant_label, r.helpful_count, r.created_at, r.edited_at,
         _seen(r.author)) for r in shown]
    assert shown[0].id == written[3].id and written[2].id not in {r.id for r in shown}

    orm = questions.questions_of(product.id, 1, page.QUESTIONS_SHOWN).items
    shown = page.newest_questions(product.id)
    assert [(q.id, q.body, q.pinned_answer_id, _seen(q.author),
             [(a.id, a.body, a.bought, a.by_staff, _seen(a.author)) for a in q.answers])
            for q in orm] == [
        (q.id, q.body, q.pinned_answer_id, _seen(q.author),
         [(a.id, a.body, a.bought, a.by_staff, _seen(a.author)) for a in q.answers])
        for q in shown]
    assert len(shown) == 5 and [a.id for a in shown[0].answers] == [pinned.id, first.id]
