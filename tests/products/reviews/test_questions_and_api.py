"""Product Q&A roles and pins; the reviews and questions API against its document."""

import pytest
from apicheck import assert_conforms
from helpers import make_user
from review_factories import shop
from sqlalchemy import select

from community.accounts import tokens
from community.accounts.models import User
from community.kernel.errors import Forbidden, NotFound
from community.kernel.extensions import db
from products.reviews import questions


@pytest.fixture
def world(app):
    with app.app_context():
        found = shop()
        make_user("asker")
        users = db.session.scalars(select(User)).all()
        return {"slug": found["product"].slug, "product": found["product"].id,
                "order": found["order"],
                "tokens": {u.username: tokens.create_token(u, "t")[1] for u in users}}


def _user(name):
    return db.session.scalar(select(User).where(User.username == name))


def test_buyers_and_staff_answer_and_staff_pin(app, world):
    with app.app_context():
        question = questions.ask(world["product"], _user("asker"), "Is it waterproof?")
        with pytest.raises(Forbidden) as refused:
            questions.answer(question.id, _user("asker"), "No idea")
        assert refused.value.code == "buyers_only"
        bought = questions.answer(question.id, _user("buyer"), "Mine survived rain")
        official = questions.answer(question.id, _user("boss"), "Splash-proof")
        assert (bought.bought, bought.by_staff, official.by_staff) == (True, False, True)
        with pytest.raises(Forbidden):
            questions.pin(question.id, bought.id, _user("buyer"))
        questions.pin(question.id, bought.id, _user("boss"))
        listed = questions.questions_of(world["product"]).items
        assert listed[0].answers[0].id == bought.id and listed[0].answer_count == 2
        other = questions.ask(world["product"], _user("asker"), "Colours?")
        with pytest.raises(NotFound):
            questions.pin(other.id, bought.id, _user("boss"))


def test_the_product_page_shows_questions_with_roles(app, client, auth, world):
    auth.login("asker")
    client.post(f"/products/{world['slug']}/questions", data={"body": "How heavy?"})
    page = client.get(f"/products/{world['slug']}").get_data(as_text=True)
    assert "How heavy?" in page and 'data-testid="pin-answer"' not in page
    with app.app_context():
        question = questions.questions_of(world["product"]).items[0]
    assert client.post(f"/questions/{question.id}/answers", data={"body": "Guess"}).status_code == 302
    auth.logout()
    auth.login("buyer")
    client.post(f"/questions/{question.id}/answers", data={"body": "About 300 g"})
    auth.logout()
    auth.login("boss")
    page = client.get(f"/products/{world['slug']}").get_data(as_text=True)
    assert "About 300 g" in page and "Guess" not in page and 'data-testid="bought-it"' in page
    with app.app_context():
        answer = questions.questions_of(world["product"]).items[0].answers[0]
    client.post(f"/questions/{question.id}/pin", data={"answer_id": str(answer.id)})
    page = client.get(f"/products/{world['slug']}").get_data(as_text=True)
    assert 'data-testid="pinned-answer"' in page


def _api(client, method, path, token=None, json=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.open(path, method=method, json=json, headers=headers)


def test_the_api_follows_its_document(app, client, world):
    slug, tok = world["slug"], world["tokens"]
    base = f"/api/v1/products/{slug}"
    created = _api(client, "POST", f"{base}/reviews", tok["buyer"],
                   {"order_id": world["order"], "rating": 4, "body": "Nice"})
    review = assert_conforms(app, created, "POST", "/api/v1/products/{slug}/reviews")
    assert created.status_code == 201 and review["verified_buyer"] is True
    again = _api(client, "POST", f"{base}/reviews", tok["buyer"],
                 {"order_id": world["order"], "rating": 4, "body": "Nice"})
    assert again.status_code == 409
    assert_conforms(app, again, "POST", "/api/v1/products/{slug}/reviews")
    stranger = _api(client, "POST", f"{base}/reviews", tok["asker"],
                    {"order_id": world["order"], "rating": 4, "body": "Nice"})
    assert stranger.status_code == 404
    bad = _api(client, "POST", f"{base}/reviews", tok["buyer"], {"order_id": 1, "rating": 9})
    assert bad.status_code == 422
    assert_conforms(app, bad, "POST", "/api/v1/products/{slug}/reviews")
    edited = _api(client, "PATCH", f"/api/v1/reviews/{review['id']}", tok["buyer"],
                  {"rating": 2, "body": "Meh"})
    assert assert_conforms(app, edited, "PATCH", "/api/v1/reviews/{review_id}")["rating"] == 2
    assert _api(client, "PATCH", f"/api/v1/reviews/{review['id']}", tok["asker"],
                {"rating": 2, "body": "x"}).status_code == 403
    helpful = _api(client, "POST", f"/api/v1/reviews/{review['id']}/helpful", tok["asker"])
    assert assert_conforms(app, helpful, "POST", "/api/v1/reviews/{review_id}/helpful") == {
        "marked": True, "helpful_count": 1}
    listed = _api(client, "GET", f"{base}/reviews?sort=newest")
    body = assert_conforms(app, listed, "GET", "/api/v1/products/{slug}/reviews")
    assert body["summary"]["count"] == 1 and body["items"][0]["helpful_count"] == 1
    assert _api(client, "GET", f"{base}/reviews?sort=worst").status_code == 422

    asked = _api(client, "POST", f"{base}/questions", tok["asker"], {"body": "Size?"})
    question = assert_conforms(app, asked, "POST", "/api/v1/products/{slug}/questions")
    path = f"/api/v1/questions/{question['id']}"
    refused = _api(client, "POST", f"{path}/answers", tok["asker"], {"body": "Dunno"})
    assert refused.status_code == 403
    assert_conforms(app, refused, "POST", "/api/v1/questions/{question_id}/answers")
    answered = _api(client, "POST", f"{path}/answers", tok["buyer"], {"body": "M fits"})
    answer = assert_conforms(app, answered, "POST", "/api/v1/questions/{question_id}/answers")
    assert answer["bought"] is True
    assert _api(client, "POST", f"{path}/pin", tok["buyer"],
                {"answer_id": answer["id"]}).status_code == 403
    pinned = _api(client, "POST", f"{path}/pin", tok["boss"], {"answer_id": answer["id"]})
    assert assert_conforms(app, pinned, "POST", "/api/v1/questions/{question_id}/pin")[
        "pinned_answer_id"] == answer["id"]
    listed = _api(client, "GET", f"{base}/questions")
    assert assert_conforms(app, listed, "GET", "/api/v1/products/{slug}/questions")[
        "items"][0]["answers"][0]["pinned"] is True
    missing = _api(client, "POST", "/api/v1/questions/987654/pin", tok["boss"], {"answer_id": 1})
    assert missing.status_code == 404
