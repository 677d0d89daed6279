"""Co-creation through the pages and the API: a refusal says why and what to do (in
English and Chinese), and staff grant and take back co-creation from the product's page."""

import pytest
from catalog_factories import make_idea
from helpers import make_board, make_user

from community.accounts import tokens
from community.ideas import service as ideas
from products.catalog import participation, promotion

pytestmark = pytest.mark.one_database


@pytest.fixture
def product(app):
    with app.app_context():
        staff = make_user("boss", role="staff")
        voter, newcomer = make_user("voter"), make_user("newcomer")
        make_user("unconfirmed", verified=False)
        idea = make_idea(make_board("band"), make_user("proposer"), "Two-week battery")
        ideas.vote(idea.id, voter)
        product = promotion.promote(staff, [idea.id], "Band 9 Pro", "band-9-pro", "The band.")
        return {"slug": product.slug, "url": f"/products/{product.slug}", "id": product.id,
                "newcomer": tokens.create_token(newcomer, "t")[1],
                "voter": tokens.create_token(voter, "t")[1]}


def _join(client, product, **headers):
    response = client.post(product["url"] + "/join", headers=headers)
    assert response.status_code == 302
    return client.get(response.headers["Location"], headers=headers).get_data(as_text=True)


def test_a_newcomer_is_told_how_to_earn_a_place(client, auth, product):
    auth.login("newcomer")
    page = _join(client, product)
    assert "Co-creators are fans who took part" in page
    assert 'data-testid="cocreator-badge"' not in page and "1 co-creator" in page
    page = _join(client, product, **{"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "共创者是参与过的粉丝" in page
    auth.logout()
    auth.login("unconfirmed")
    assert "Confirm your email address first" in _join(client, product)
    auth.logout()
    auth.login("voter")
    page = _join(client, product)
    assert 'data-testid="cocreator-badge"' in page and "2 co-creators" in page


def test_the_api_answers_403_with_the_reason(client, product):
    path = f"/api/v1/products/{product['slug']}/participants"
    refused = client.post(path, headers={"Authorization": f"Bearer {product['newcomer']}"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "contribution_required"
    assert "vote for one of the ideas" in refused.get_json()["error"]["message"]
    joined = client.post(path, headers={"Authorization": f"Bearer {product['voter']}"})
    assert joined.status_code == 201 and joined.get_json() == {"joined": True, "cocreators": 2}


def test_staff_grant_and_take_back_from_the_product_page(app, client, auth, product):
    manage = f"/staff/products/{product['slug']}"
    auth.login("newcomer")
    assert client.post(manage + "/cocreators", data={"username": "newcomer"}).status_code == 403
    auth.logout()
    auth.login("boss")
    response = client.post(manage + "/cocreators", data={"username": "newcomer"})
    assert response.headers["Location"] == manage
    page = client.get(manage).get_data(as_text=True)
    granted = page.split('data-testid="cocreators-section"')[1].split("</section>")[0]
    assert "newcomer" in granted and "granted by boss" in granted
    refused = client.post(manage + "/cocreators", data={"username": "unconfirmed"})
    assert refused.status_code == 422
    assert "has not confirmed their email address" in refused.get_data(as_text=True)
    missing = client.post(manage + "/cocreators", data={"username": "nobody"})
    assert missing.status_code == 422 and "No user named nobody" in missing.get_data(as_text=True)
    with app.app_context():
        [row] = participation.granted(product["id"])
        user_id = row.user_id
    client.post(f"{manage}/cocreators/{user_id}/revoke")
    page = client.get(manage).get_data(as_text=True)
    assert "granted by boss" not in page and "Nobody was granted co-creation yet." in page
    auth.logout()
    auth.login("newcomer")
    assert "Co-creators are fans who took part" in _join(client, product)
