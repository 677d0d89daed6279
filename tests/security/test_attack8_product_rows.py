"""Attack 8: the product page now reads its reviews, questions and answers, polls,
options and variants as rows on the driver. A stored copy (a visitor's, a fan's) must be
what a fresh render shows after each write to them or to their authors: hiding a review,
answering and pinning, editing raw rows, poll votes and a new poll option, variants taken
off sale, an author renamed, banned, made staff or levelled up."""

import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "products" / "reviews"))
sys.path.insert(0, str(Path(__file__).parents[1] / "community" / "web" / "pagecache"))

from freshness_world import normalised, sign_in, twin  # noqa: E402
from helpers import build_app, make_user  # noqa: E402
from review_factories import shop  # noqa: E402
from sqlalchemy import update  # noqa: E402

from community.accounts.models import User  # noqa: E402
from community.kernel.database import utcnow  # noqa: E402
from community.kernel.extensions import db  # noqa: E402
from community.moderation import service as moderation  # noqa: E402
from products.catalog import polls  # noqa: E402
from products.catalog.models import Poll, PollOption  # noqa: E402
from products.catalog.options import Variant  # noqa: E402
from products.reviews import questions  # noqa: E402
from products.reviews import service as reviews  # noqa: E402
from products.reviews.models import Answer, Question, Review  # noqa: E402


def _world():
    world = shop()
    staff, buyer, product = world["staff"], world["buyer"], world["product"]
    make_user("a8reader")
    review = reviews.create_review(world["order"], buyer, 4, "Light and warm")
    question = questions.ask(product.id, buyer, "Does it float?")
    poll = polls.create_poll(product, staff, "Colour?", ["Moss", "Sand"],
                             utcnow() + timedelta(days=3))
    return {"slug": product.slug, "product": product.id, "staff": staff.id, "buyer": buyer.id,
            "review": review.id, "question": question.id, "poll": poll.id}


def _writes(w):
    def user(key):
        return db.session.get(User, w[key])

    def pin():
        answer = questions.answer(w["question"], user("buyer"), "Mine floated")
        questions.pin(w["question"], answer.id, user("staff"))

    def raw(statement):
        return lambda: db.session.execute(statement)

    return [
        ("hide the review", raw(update(Review).where(Review.id == w["review"]).values(hidden=True))),
        ("show it again", raw(update(Review).where(Review.id == w["review"]).values(hidden=False))),
        ("rename its author", raw(update(User).where(User.id == w["buyer"]).values(
            username="renamed8", username_key="renamed8", username_skeleton="renamed8"))),
        ("staff answer", lambda: questions.answer(w["question"], user("staff"), "It floats")),
        ("a second answer, pinned", pin),
        ("answers edited", raw(update(Answer).where(Answer.question_id == w["question"])
                               .values(body="changed"))),
        ("question edited", raw(update(Question).where(Question.id == w["question"])
                                .values(body="Changed?"))),
        ("poll votes", raw(update(PollOption).where(PollOption.poll_id == w["poll"])
                           .values(votes=PollOption.votes + 3))),
        ("poll count", raw(update(Poll).where(Poll.id == w["poll"])
                           .values(vote_count=Poll.vote_count + 3))),
        ("a new poll option", lambda: db.session.add(
            PollOption(poll_id=w["poll"], label="Rust", position=9))),
        ("variants off sale", raw(update(Variant).where(Variant.product_id == w["product"])
                                  .values(active=False))),
        ("author banned", lambda: moderation.ban_user(user("buyer"), user("staff"), "spam")),
        ("author made staff", raw(update(User).where(User.id == w["buyer"]).values(role="staff"))),
        ("author levelled up", raw(update(User).where(User.id == w["buyer"])
                                   .values(points=5000, avatar="a8avatar"))),
    ]


def test_a_stored_product_page_is_what_a_fresh_render_shows_after_each_write(app, tmp_path):
    fresh_app = build_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, CACHE_URL="none")
    with app.app_context():
        w = _world()
    fan = sign_in(app, "a8reader")
    readers = {"visitor": (app.test_client(), fresh_app.test_client()),
               "fan": (fan, twin(fresh_app, fan))}
    paths = (f"/products/{w['slug']}", f"/products/{w['slug']}/reviews")
    stale = []

    def compare(step):
        for who, (cached, fresh) in readers.items():
            for path in paths:
                cached.get(path)  # the first may be the one stored
                kept = normalised(cached.get(path).get_data(as_text=True))
                if kept != normalised(fresh.get(path).get_data(as_text=True)):
                    stale.append((step, who, path))

    compare("before any write")
    try:
        for step, write in _writes(w):
            with app.app_context():
                write()
                db.session.commit()
            compare(step)
    finally:
        with fresh_app.app_context():
            db.engine.dispose()
    assert not stale
