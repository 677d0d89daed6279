import pytest
from apicheck import assert_conforms
from flask import render_template
from helpers import make_user

from community.accounts import tokens
from community.accounts.models import User
from community.kernel.extensions import db
from products.addresses import service as addresses
from products.addresses.models import Address

pytestmark = pytest.mark.one_database

HOME = {"recipient": "李雷", "phone": "13812345678", "country": "CN", "region": "北京市",
        "city": "北京", "district": "海淀区", "street": "中关村大街1号", "postal_code": "100080"}


@pytest.fixture
def book(app):
    with app.app_context():
        owner, other, staff = make_user("owner"), make_user("other"), make_user("boss", role="staff")
        address = addresses.add_address(owner, HOME)
        return {"address": address.id,
                "tokens": {u.username: tokens.create_token(u, "t")[1] for u in (owner, other, staff)}}


def _api(client, method, path, token, json=None):
    return client.open(path, method=method, json=json,
                       headers={"Authorization": f"Bearer {token}"})


def test_add_edit_default_and_delete_through_the_pages(app, client, auth, book):
    auth.login("owner")
    assert 'href="/me/addresses"' in client.get("/settings").get_data(as_text=True)
    bad = client.post("/me/addresses/new", data={**HOME, "phone": "12345"})
    assert bad.status_code == 422 and "Chinese mobile number" in bad.get_data(as_text=True)
    added = client.post("/me/addresses/new", data={
        "recipient": "Jane Doe", "phone": "+44 20 7946 0958", "country": "GB", "region": "England",
        "city": "London", "street": "221B Baker Street", "postal_code": "NW1 6XE",
        "is_default": "y"})
    assert added.status_code == 302 and added.headers["Location"] == "/me/addresses"
    page = client.get("/me/addresses").get_data(as_text=True)
    assert "221B Baker Street" in page and "中关村大街1号" in page
    with app.app_context():
        jane = db.session.query(Address).filter_by(recipient="Jane Doe").one()
        assert jane.is_default
    edited = client.post(f"/me/addresses/{book['address']}/edit", data={**HOME, "city": "北京市"})
    assert edited.status_code == 302
    assert client.post(f"/me/addresses/{book['address']}/default").status_code == 302
    assert client.post(f"/me/addresses/{jane.id}/delete").status_code == 302
    with app.app_context():
        left = db.session.query(Address).all()
        assert [(a.city, a.is_default) for a in left] == [("北京市", True)]


def test_the_form_returns_to_where_it_was_opened(client, auth, book):
    auth.login("owner")
    done = client.post("/me/addresses/new", data={**HOME, "next": "/me/preorders"})
    assert done.headers["Location"] == "/me/preorders"


@pytest.mark.parametrize("who", ["other", "boss"])
def test_someone_elses_address_is_a_404_in_pages_and_api(app, client, auth, book, who):
    auth.login(who)
    address_id = book["address"]
    for method, path in (("GET", f"/me/addresses/{address_id}/edit"),
                         ("POST", f"/me/addresses/{address_id}/edit"),
                         ("POST", f"/me/addresses/{address_id}/delete"),
                         ("POST", f"/me/addresses/{address_id}/default")):
        assert client.open(path, method=method, data=HOME).status_code == 404, (method, path)
    assert "中关村" not in client.get("/me/addresses").get_data(as_text=True)
    token = book["tokens"][who]
    path = f"/api/v1/me/addresses/{address_id}"
    for method, body in (("GET", None), ("PATCH", {"city": "上海"}), ("DELETE", None)):
        response = _api(client, method, path, token, body)
        assert response.status_code == 404, method
        assert_conforms(app, response, method, "/api/v1/me/addresses/{address_id}")
    assert _api(client, "GET", "/api/v1/me/addresses", token).get_json() == {"items": []}
    with app.app_context():
        assert db.session.get(Address, address_id).city == "北京"


def test_signed_out_visitors_are_sent_to_sign_in(client, book):
    assert client.get("/me/addresses").status_code == 302
    assert client.get("/api/v1/me/addresses").status_code == 401


def test_the_api_round_trip(app, client, book):
    token = book["tokens"]["owner"]
    listed = _api(client, "GET", "/api/v1/me/addresses", token)
    items = assert_conforms(app, listed, "GET", "/api/v1/me/addresses")["items"]
    assert [a["id"] for a in items] == [book["address"]] and items[0]["is_default"]
    created = _api(client, "POST", "/api/v1/me/addresses", token, {
        "recipient": "Jane", "phone": "+1 212 555 0123", "country": "US", "region": "NY",
        "city": "New York", "street": "1 Main St", "is_default": True})
    body = assert_conforms(app, created, "POST", "/api/v1/me/addresses")
    assert created.status_code == 201 and body["is_default"] and body["phone"] == "+12125550123"
    bad = _api(client, "POST", "/api/v1/me/addresses", token, {**HOME, "postal_code": "1000"})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "postal_code"
    assert_conforms(app, bad, "POST", "/api/v1/me/addresses")
    changed = _api(client, "PATCH", f"/api/v1/me/addresses/{book['address']}", token,
                   {"street": "长安街2号"})
    assert assert_conforms(app, changed, "PATCH", "/api/v1/me/addresses/{address_id}")[
        "street"] == "长安街2号"
    gone = _api(client, "DELETE", f"/api/v1/me/addresses/{body['id']}", token)
    assert gone.status_code == 204
    assert_conforms(app, gone, "DELETE", "/api/v1/me/addresses/{address_id}")
    remaining = _api(client, "GET", "/api/v1/me/addresses", token).get_json()["items"]
    assert [(a["id"], a["is_default"]) for a in remaining] == [(book["address"], True)]


def test_the_picker_lists_the_buyers_addresses(app, book):
    with app.test_request_context("/checkout"):
        owner = db.session.get(User, db.session.get(Address, book["address"]).user_id)
        html = render_template("products/addresses/_picker.html",
                               addresses=addresses.addresses_of(owner))
    assert 'name="address_id"' in html and "checked" in html and "中关村大街1号" in html
    assert "/me/addresses/new?next=/checkout" in html



def test_the_pages_speak_chinese(client, auth, book):
    auth.login("owner")
    page = client.get("/me/addresses", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "我的地址" in page and "设为默认" not in page  # the only address is the default
    form = client.get("/me/addresses/new", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "收件人" in form and "中国" in form
    bad = client.post("/me/addresses/new", data={**HOME, "phone": "123"},
                      headers={"Accept-Language": "zh"})
    assert "请输入中国大陆手机号" in bad.get_data(as_text=True)
