import io

import pytest
from apicheck import assert_conforms
from helpers import make_campaign, make_user
from sqlalchemy import update

from community.accounts import tokens
from community.kernel.database import transaction
from community.kernel.extensions import db
from products.addresses import service as addresses
from products.orders import service as orders
from products.orders.models import Order

pytestmark = pytest.mark.one_database

HOME = {"recipient": "李雷", "phone": "13812345678", "region": "北京市", "city": "北京",
        "street": "中关村大街1号", "postal_code": "100080"}


@pytest.fixture
def shop(app):
    with app.app_context():
        staff, buyer = make_user("boss", role="staff"), make_user("buyer")
        campaign = make_campaign(staff=staff)
        order, _ = orders.place_order(campaign.id, buyer, campaign.tiers[0].id, 2, "k")
        address = addresses.add_address(buyer, HOME)
        with transaction():
            addresses.copy_to_order(order, buyer, address.id)
            db.session.execute(update(Order).where(Order.id == order.id).values(state="confirmed"))
        return {"campaign": campaign.id, "order": order.id,
                "tokens": {u.username: tokens.create_token(u, "t")[1] for u in (staff, buyer)}}


def _api(client, method, path, token, json=None):
    return client.open(path, method=method, json=json,
                       headers={"Authorization": f"Bearer {token}"})


def test_staff_fulfil_by_hand_and_the_buyer_sees_each_step(app, client, auth, shop):
    base = f"/staff/campaigns/{shop['campaign']}/fulfilment"
    auth.login("buyer")
    mine = client.get("/me/preorders").get_data(as_text=True)
    assert "中关村大街1号" in mine and 'data-testid="delivery-steps"' in mine
    assert 'data-testid="tracking"' not in mine
    auth.logout()
    auth.login("boss")
    assert f'href="{base}"' in client.get(f"/campaigns/{shop['campaign']}").get_data(as_text=True)
    page = client.get(base).get_data(as_text=True)
    assert 'data-testid="count-waiting">1<' in page and "李雷" in page
    assert client.post(f"{base}/production").status_code == 302
    shipped = client.post(f"{base}/ship", data={"order_id": str(shop["order"]),
                                                "carrier": "顺丰速运", "tracking_number": "SF1001"},
                          follow_redirects=True)
    assert 'data-testid="count-shipped">1<' in shipped.get_data(as_text=True)
    auth.logout()
    auth.login("buyer")
    mine = client.get("/me/preorders").get_data(as_text=True)
    assert "顺丰速运 · SF1001" in mine
    auth.logout()
    auth.login("boss")
    client.post(f"{base}/deliver", data={"order_id": str(shop["order"])})
    with app.app_context():
        assert db.session.get(Order, shop["order"]).fulfilment_status == "delivered"


def test_upload_and_export(app, client, auth, shop):
    base = f"/staff/campaigns/{shop['campaign']}/fulfilment"
    auth.login("boss")
    export = client.get(f"{base}.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    text = export.get_data().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("order_id,") and "ship_postal_code" in text
    assert "李雷" in text and "100080" in text
    upload = b"order_id,carrier,tracking_number\n%d,SF,SF1001\n987654,SF,SF1002\n" % shop["order"]
    for _time in range(2):
        page = client.post(f"{base}/import", data={"file": (io.BytesIO(upload), "s.csv")},
                           content_type="multipart/form-data")
        assert page.status_code == 200
        assert page.get_data(as_text=True).count('data-testid="report-line"') == 2
    bad = client.post(f"{base}/import", data={"file": (io.BytesIO(b"\x00\xff"), "s.csv")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422
    none = client.post(f"{base}/import", data={}, content_type="multipart/form-data")
    assert none.status_code == 302
    with app.app_context():
        assert db.session.get(Order, shop["order"]).tracking_number == "SF1001"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/staff/campaigns/{c}/fulfilment"), ("GET", "/staff/campaigns/{c}/fulfilment.csv"),
    ("POST", "/staff/campaigns/{c}/fulfilment/production"),
    ("POST", "/staff/campaigns/{c}/fulfilment/import"),
    ("POST", "/staff/campaigns/{c}/fulfilment/ship"),
    ("POST", "/staff/campaigns/{c}/fulfilment/deliver"),
])
def test_fans_are_refused_the_staff_pages(app, client, auth, shop, method, path):
    path = path.format(c=shop["campaign"])
    assert client.open(path, method=method).status_code == 302  # sign in first
    auth.login("buyer")
    assert client.open(path, method=method, data={"order_id": str(shop["order"]),
                                                  "carrier": "SF",
                                                  "tracking_number": "SF1"}).status_code == 403
    with app.app_context():
        assert db.session.get(Order, shop["order"]).fulfilment_status is None


def test_staff_api(app, client, shop):
    staff, fan = shop["tokens"]["boss"], shop["tokens"]["buyer"]
    order_path = "/api/v1/preorders/{order_id}/shipment"
    path = order_path.format(order_id=shop["order"])
    refused = _api(client, "POST", path, fan, {"carrier": "SF", "tracking_number": "SF1001"})
    assert refused.status_code == 403
    assert_conforms(app, refused, "POST", order_path)
    counts = _api(client, "GET", f"/api/v1/campaigns/{shop['campaign']}/fulfilment", staff)
    assert assert_conforms(app, counts, "GET", "/api/v1/campaigns/{campaign_id}/fulfilment")[
        "waiting"] == 1
    moved = _api(client, "POST", f"/api/v1/campaigns/{shop['campaign']}/fulfilment/production",
                 staff)
    assert moved.get_json() == {"moved": 1}
    shipped = _api(client, "POST", path, staff, {"carrier": "SF", "tracking_number": "SF1001"})
    body = assert_conforms(app, shipped, "POST", order_path)
    assert body["fulfilment_status"] == "shipped" and body["changed"]
    other = _api(client, "POST", path, staff, {"carrier": "SF", "tracking_number": "SF9999"})
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "already_shipped"
    report = _api(client, "POST", f"/api/v1/campaigns/{shop['campaign']}/shipments", staff,
                  {"body": f"order_id,carrier,tracking_number\n{shop['order']},SF,SF1001\n"})
    body = assert_conforms(app, report, "POST", "/api/v1/campaigns/{campaign_id}/shipments")
    assert (body["shipped"], body["unchanged"], body["refused"]) == (0, 1, 0)
    delivered = _api(client, "POST", f"/api/v1/preorders/{shop['order']}/delivered", staff)
    assert assert_conforms(app, delivered, "POST", "/api/v1/preorders/{order_id}/delivered")[
        "fulfilment_status"] == "delivered"
    missing = _api(client, "POST", "/api/v1/preorders/987654/delivered", staff)
    assert missing.status_code == 404

