"""attack4: a suspended member could neither download their data nor close their account.

guard.py's allow-list says "their rights do not pause" (PIPL / GDPR), yet every data-rights
write was refused with 403 suspended: asking for an export (page and API), taking the
mailed single-use link (its button is a POST), and closing the account."""

from helpers import PASSWORD, make_user

from community.accounts import tokens
from community.datarights import closure, export
from community.kernel.extensions import db
from community.moderation import service


def _suspended(app):
    with app.app_context():
        fan, staff = make_user("sulking"), make_user("warden4", role="staff")
        service.suspend(fan, staff, "Flaming", "week")
        key = tokens.create_token(fan, "reader", ["read"])[1]
        fan_id = fan.id
    client = app.test_client()
    assert client.post("/login", data={"login": "sulking", "password": PASSWORD}).status_code == 302
    return client, key, fan_id


def test_a_suspended_member_still_gets_their_data(app):
    client, key, fan_id = _suspended(app)
    asked = client.post("/settings/data/export")
    assert asked.status_code == 302, asked.status_code
    with app.app_context():
        found = export.latest(fan_id)
        assert found is not None and found.state == "queued"
        assert export.build_one(found.id)
        found = export.latest(fan_id)
        link = export.link_token(found)
    page = client.get(f"/settings/data/export/{link}")
    assert page.status_code == 200
    taken = client.post(f"/settings/data/export/{link}")
    assert taken.status_code == 200 and taken.mimetype == "application/zip"
    # The API's way to ask too (a token's read scope is not enough: it is a write).
    api = client.post("/api/v1/me/data-export", headers={"Authorization": f"Bearer {key}"})
    assert api.status_code == 403 and api.get_json()["error"]["code"] == "insufficient_scope"


def test_a_suspended_member_may_close_their_account(app):
    client, _key, fan_id = _suspended(app)
    closed = client.post("/settings/data/close", data={
        "password": PASSWORD, "posts": "keep", "understood": "y"})
    assert closed.status_code == 302, closed.status_code
    with app.app_context():
        assert closure.pending(fan_id) is not None
        db.session.remove()
