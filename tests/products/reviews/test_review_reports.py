"""Reviews are report targets the store registers with the community: reported from the
product's reviews, hidden by staff from the queue, then gone from the lists and the
rating, and a hidden review is the same 404 as a missing one."""

import pytest
from helpers import PASSWORD, make_user
from review_factories import shop
from sqlalchemy import select

from community.accounts.models import User
from community.kernel.errors import NotFound
from community.kernel.extensions import db
from community.reports import service as reports
from products.reviews import service as reviews
from products.reviews.models import Review


@pytest.fixture
def world(app):
    with app.app_context():
        found = shop()
        review = reviews.create_review(found["order"], found["buyer"], 1, "Buy elsewhere!!!")
        make_user("critic")
        return {"slug": found["product"].slug, "product": found["product"].id,
                "review": review.id}


def _user(name):
    return db.session.scalar(select(User).where(User.username == name))


def test_a_review_is_reported_and_hidden_from_the_queue(app, world):
    with app.app_context():
        report, target = reports.report("review", world["review"], _user("critic"), "spam")
        assert target.author_id == _user("buyer").id and report.kind == "review"
        assert reports.resolve("review", world["review"], _user("boss"), "removed") == 1
        assert db.session.get(Review, world["review"], populate_existing=True).hidden
        assert reviews.reviews_of(world["product"]).items == []
        assert reviews.summary(world["product"]).count == 0
        with pytest.raises(NotFound) as hidden:
            reports.report("review", world["review"], make_user(), "spam")
        with pytest.raises(NotFound) as missing:
            reports.report("review", 987654, make_user(), "spam")
        assert hidden.value.message == missing.value.message


def test_the_reviews_page_links_to_the_report_form(app, client, world):
    assert client.post("/login", data={"login": "critic", "password": PASSWORD}).status_code == 302
    page = client.get(f"/products/{world['slug']}/reviews").get_data(as_text=True)
    assert f'href="/report/review/{world["review"]}"' in page
    sent = client.post(f"/report/review/{world['review']}", data={"reason": "spam"})
    assert sent.status_code == 302
    assert sent.headers["Location"] == f"/products/{world['slug']}?tab=comments#review-{world['review']}"
