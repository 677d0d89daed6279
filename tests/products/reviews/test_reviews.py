"""Reviews: delivered buyers only, one per order, photos, helpful marks, the product page."""

import io

import pytest
from helpers import make_user
from PIL import Image
from review_factories import place, shop
from sqlalchemy import func, select

from community.accounts.models import User
from community.kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from community.kernel.extensions import db
from community.media.models import MediaImage
from products.campaigns import service as campaigns
from products.reviews import service as reviews
from products.reviews.models import Review


def png():
    out = io.BytesIO()
    Image.new("RGB", (6, 4), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def world(app, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    app.extensions.pop("media_storage", None)
    with app.app_context():
        found = shop()
        return {"slug": found["product"].slug, "product": found["product"].id,
                "order": found["order"], "campaign": found["campaign"].id}


def test_only_a_delivered_buyer_reviews_once_per_order(app, world):
    with app.app_context():
        stranger = make_user("stranger")
        buyer = db.session.scalar(select(User).where(User.username == "buyer"))
        with pytest.raises(NotFound):
            reviews.create_review(world["order"], stranger, 5, "Not mine")
        campaign = campaigns.get_campaign(world["campaign"])
        waiting = place(campaign, buyer, "k2", deliver=False)
        with pytest.raises(Conflict) as refused:
            reviews.create_review(waiting, buyer, 4, "Not here yet")
        assert refused.value.code == "not_delivered"
        with pytest.raises(ValidationError):
            reviews.create_review(world["order"], buyer, 6, "Six stars")
        review = reviews.create_review(world["order"], buyer, 4, "Solid build")
        assert review.variant_label is None and review.product_id == world["product"]
        with pytest.raises(Conflict) as again:
            reviews.create_review(world["order"], buyer, 5, "Twice")
        assert again.value.code == "already_reviewed"
        assert db.session.scalar(select(func.count()).select_from(Review)) == 1
        summary = reviews.summary(world["product"])
        assert (summary.count, summary.average, summary.distribution[4]) == (1, 4.0, 1)


def test_helpful_once_each_never_ones_own(app, world):
    with app.app_context():
        buyer = db.session.scalar(select(User).where(User.username == "buyer"))
        review = reviews.create_review(world["order"], buyer, 5, "Great")
        fans = [make_user(f"fan{n}") for n in range(3)]
        assert reviews.mark_helpful(review.id, fans[0]) == (True, 1)
        assert reviews.mark_helpful(review.id, fans[0]) == (False, 1)
        assert reviews.mark_helpful(review.id, fans[1]) == (True, 2)
        with pytest.raises(Forbidden):
            reviews.mark_helpful(review.id, buyer)
        assert db.session.get(Review, review.id, populate_existing=True).helpful_count == 2


def test_a_buyer_reviews_with_a_photo_edits_it_and_the_page_shows_it(app, client, auth, world):
    auth.login("buyer")
    page = client.get(f"/products/{world['slug']}").get_data(as_text=True)
    assert 'data-testid="write-review"' in page
    response = client.post(f"/products/{world['slug']}/reviews/new", data={
        "order": str(world["order"]), "rating": "5", "body": "Love the finish",
        "images": [(io.BytesIO(png()), "photo.png")]}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/products/{world['slug']}").get_data(as_text=True)
    assert "Love the finish" in page and 'data-testid="verified-buyer"' in page
    assert 'data-testid="edit-review"' in page
    assert 'data-testid="media-gallery"' in page
    with app.app_context():
        review = db.session.scalars(select(Review)).one()
        photo = db.session.scalars(select(MediaImage)).one()
        assert (photo.owner_kind, photo.owner_id) == ("review", review.id)
    edit = client.post(f"/reviews/{review.id}/edit", data={
        "rating": "3", "body": "Changed my mind", "remove": [str(photo.id)]},
        content_type="multipart/form-data")
    assert edit.status_code == 302
    with app.app_context():
        assert db.session.get(Review, review.id).rating == 3
        assert db.session.scalar(select(func.count()).select_from(MediaImage)) == 0
    auth.logout()
    with app.app_context():
        make_user("other")
    auth.login("other")
    assert client.get(f"/reviews/{review.id}/edit").status_code == 403
    assert client.get(f"/products/{world['slug']}/reviews/new").status_code == 302


def test_one_readers_data_never_reaches_another(app, client, auth, world):
    """The product page is shared: the author's edit link and a fan's helpful mark are
    holes filled for each reader, never part of the stored page."""
    with app.app_context():
        buyer = db.session.scalar(select(User).where(User.username == "buyer"))
        review = reviews.create_review(world["order"], buyer, 5, "Shared page")
        marker = make_user("marker")
        make_user("bystander")
        reviews.mark_helpful(review.id, marker)
    url = f"/products/{world['slug']}"
    seen = {}
    for name in ("buyer", "marker", "bystander", "buyer", "bystander"):
        auth.login(name)
        seen[name] = client.get(url).get_data(as_text=True)
        auth.logout()
    visitor = client.get(url).get_data(as_text=True)
    assert 'data-testid="edit-review"' in seen["buyer"]
    assert 'data-testid="helpful-marked"' in seen["marker"]
    for name in ("marker", "bystander"):
        assert 'data-testid="edit-review"' not in seen[name]
    for page in (seen["buyer"], seen["bystander"], visitor):
        assert 'data-testid="helpful-marked"' not in page
    assert 'data-testid="mark-helpful"' in seen["bystander"]
    assert "Shared page" in visitor and 'data-testid="edit-review"' not in visitor
    listing = client.get(f"{url}/reviews?sort=newest").get_data(as_text=True)
    assert "Shared page" in listing and 'data-testid="edit-review"' not in listing


def test_sorting_most_helpful_and_newest(app, world):
    with app.app_context():
        buyer = db.session.scalar(select(User).where(User.username == "buyer"))
        campaign = campaigns.get_campaign(world["campaign"])
        first = reviews.create_review(world["order"], buyer, 5, "First")
        second = reviews.create_review(place(campaign, buyer, "k3", staff=make_user(
            "staff2", role="staff")), buyer, 2, "Second")
        reviews.mark_helpful(first.id, make_user("fan"))
        assert [r.id for r in reviews.reviews_of(world["product"], "helpful").items] == [
            first.id, second.id]
        assert [r.id for r in reviews.reviews_of(world["product"], "newest").items] == [
            second.id, first.id]
        assert reviews.summary(world["product"]).average == 3.5
