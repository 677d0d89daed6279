import pytest
from apicheck import assert_conforms
from helpers import make_board, make_campaign, make_user

from community.accounts import tokens
from community.ideas import service as ideas


@pytest.fixture
def api(app):
    with app.app_context():
        staff, fan = make_user("boss", role="staff"), make_user("lilei")
        board = make_board("band")
        idea_ids = [ideas.propose(board, fan, f"Origin idea {i}", "b").id for i in range(2)]
        for idea_id in idea_ids:
            ideas.vote(idea_id, staff)
        data = {"ideas": idea_ids, "staff": tokens.create_token(staff, "t")[1],
                "fan": tokens.create_token(fan, "t")[1]}
    client = app.test_client()

    def call(method, path, token=None, json=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.open(path, method=method, headers=headers, json=json)

    data["call"] = call
    return data


def _promote(api, **body):
    payload = {"name": "Band 9", "slug": "band-9", "summary": "The next band", "board": "band",
               "ideas": api["ideas"], **body}
    return api["call"]("POST", "/api/v1/products", api["staff"], payload)


def test_promote_list_show_join(app, api):
    assert api["call"]("POST", "/api/v1/products", api["fan"], {"name": "x"}).status_code in (403, 422)
    created = _promote(api)
    product = assert_conforms(app, created, "POST", "/api/v1/products")
    assert created.status_code == 201 and product["stage"] == "concept"
    assert product["cocreators"] == 1  # lilei proposed both ideas
    assert {i["id"] for i in product["origin_ideas"]} == set(api["ideas"])
    listing = assert_conforms(app, api["call"]("GET", "/api/v1/products"), "GET", "/api/v1/products")
    assert [p["slug"] for p in listing["items"]] == ["band-9"]
    assert api["call"]("GET", "/api/v1/products?stage=shipped").get_json()["items"] == []
    assert api["call"]("GET", "/api/v1/products?stage=unknown").status_code == 404
    shown = api["call"]("GET", "/api/v1/products/band-9")
    assert assert_conforms(app, shown, "GET", "/api/v1/products/{slug}")["campaign"] is None
    joined = api["call"]("POST", "/api/v1/products/band-9/participants", api["staff"])
    assert joined.status_code == 201 and joined.get_json()["cocreators"] == 2
    again = api["call"]("POST", "/api/v1/products/band-9/participants", api["staff"])
    assert again.status_code == 200
    assert api["call"]("POST", "/api/v1/products/nope/participants", api["staff"]).status_code == 404


@pytest.mark.parametrize(("body", "status"), [({"slug": "Bad Slug"}, 422), ({"board": "nope"}, 422),
                                              ({"ideas": [99999]}, 422), ({"ideas": []}, 422)])
def test_bad_promotions(app, api, body, status):
    response = _promote(api, **body)
    assert response.status_code == status and "error" in response.get_json()


def test_product_with_a_campaign(app, api):
    with app.app_context():
        campaign = make_campaign()
        slug = campaign.product.slug
    detail = api["call"]("GET", f"/api/v1/products/{slug}").get_json()
    assert detail["campaign"]["id"] == campaign.id and detail["campaign"]["state"] == "live"
