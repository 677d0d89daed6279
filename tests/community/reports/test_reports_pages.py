"""Reporting through the pages (a plain form: no JavaScript needed), the staff queue and
its actions, and the JSON API with its document. SQLite: the rules are the service's,
tested on both databases in test_reports_service.py."""

import re

import pytest
from apicheck import assert_conforms
from helpers import PASSWORD, make_user
from report_factories import world
from sqlalchemy import select

from community.accounts import tokens
from community.forum.models import Post
from community.kernel.extensions import db

pytestmark = pytest.mark.one_database


@pytest.fixture
def app(sqlite_app):
    return sqlite_app


@pytest.fixture
def seeded(app):
    with app.app_context():
        found = world()
        make_user("outsider")
        make_user("mod", role="staff")
        return {"targets": found["targets"], "reader": found["reader"].username,
                "author": found["author"].username,
                "tokens": {name: tokens.create_token(user, "t")[1] for name, user in (
                    ("reader", found["reader"]), ("author", found["author"]))} | {
                    "outsider": tokens.create_token(_user("outsider"), "t")[1]}}


def _user(name):
    from community.accounts import service as accounts
    return accounts.get_by_username(name)


def _login(client, name):
    assert client.post("/login", data={"login": name, "password": PASSWORD}).status_code == 302


def test_report_a_reply_from_its_page_without_javascript(app, client, seeded):
    _kind, reply_id = seeded["targets"]["reply"]
    thread_id = seeded["targets"]["thread"][1]
    _login(client, seeded["reader"])
    page = client.get(f"/t/{thread_id}").get_data(as_text=True)
    assert f'href="/report/post/{reply_id}"' in page and f'href="/report/thread/{thread_id}"' in page
    form = client.get(f"/report/post/{reply_id}")
    assert form.status_code == 200 and 'name="reason"' in form.get_data(as_text=True)
    assert client.post(f"/report/post/{reply_id}", data={}).status_code == 422
    other = client.post(f"/report/post/{reply_id}", data={"reason": "other", "text": ""})
    assert other.status_code == 422 and "Say what is wrong." in other.get_data(as_text=True)
    sent = client.post(f"/report/post/{reply_id}", data={"reason": "spam"})
    assert sent.status_code == 302 and sent.headers["Location"] == f"/p/{reply_id}"
    again = client.post(f"/report/post/{reply_id}", data={"reason": "abuse"},
                        follow_redirects=True)
    assert "already reported" in again.get_data(as_text=True)
    zh = client.get(f"/report/post/{reply_id}", headers={"Accept-Language": "zh-CN"})
    assert "为什么举报" in zh.get_data(as_text=True)


def _page(response, target_id):
    """The page without its per-request CSRF token and with the asked id (its own links
    name the path) made neutral."""
    page = re.sub(r'csrf[-_]token"[^>]*>', "", response.get_data(as_text=True))
    return page.replace(f"/{target_id}", "/ID")


def test_what_one_cannot_see_is_a_404_like_nothing(app, client, seeded):
    _login(client, "outsider")
    for name in ("circle_thread", "circle_reply", "message"):
        kind, target_id = seeded["targets"][name]
        hidden = client.get(f"/report/{kind}/{target_id}")
        missing = client.get(f"/report/{kind}/987654")
        assert hidden.status_code == missing.status_code == 404, name
        assert _page(hidden, target_id) == _page(missing, 987654), name
        assert client.post(f"/report/{kind}/{target_id}",
                           data={"reason": "spam"}).status_code == 404
    assert client.get("/report/nonsense/1").status_code == 404


def test_staff_review_the_queue_hide_and_the_reporter_is_told(app, client, seeded):
    kind, reply_id = seeded["targets"]["reply"]
    _login(client, seeded["reader"])
    client.post(f"/report/post/{reply_id}", data={"reason": "abuse", "text": "Insults"})
    client.post("/logout")
    _login(client, "outsider")
    assert client.get("/mod/reports").status_code == 403
    client.post(f"/report/post/{reply_id}", data={"reason": "spam"})
    client.post("/logout")
    _login(client, "mod")
    queue = client.get("/mod/reports").get_data(as_text=True)
    assert "A rude reply." in queue and 'data-testid="report-count">2<' in queue
    detail = client.get(f"/mod/reports/post/{reply_id}").get_data(as_text=True)
    assert "A rude reply." in detail and "Insults" in detail
    assert f'href="/mod/users/{seeded["author"]}"' in detail
    assert f'href="/p/{reply_id}/edit"' in detail
    assert client.get(f"/p/{reply_id}/edit").status_code == 200  # staff may edit
    done = client.post(f"/mod/reports/post/{reply_id}/removed", data={"reason": "insults"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Post, reply_id).hidden
    assert "A rude reply." not in client.get("/mod/reports").get_data(as_text=True)
    client.post("/logout")
    _login(client, seeded["reader"])
    told = client.get("/notifications").get_data(as_text=True)
    assert "was reviewed: the content was removed" in told and "insults" not in told


def test_staff_set_the_trusted_level(app, client, seeded):
    _login(client, "mod")
    client.post("/mod/reports/settings", data={"trusted_level": "5"})
    assert 'value="5"' in client.get("/mod/reports").get_data(as_text=True)
    client.post("/mod/reports/settings", data={"trusted_level": "99"})
    assert 'value="5"' in client.get("/mod/reports").get_data(as_text=True)


def _api(client, token, body):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/reports", json=body, headers=headers)


def test_the_api_follows_its_document(app, client, seeded):
    kind, reply_id = seeded["targets"]["reply"]
    tok = seeded["tokens"]
    created = _api(client, tok["reader"], {"kind": kind, "target_id": reply_id,
                                           "reason": "other", "text": "Fake shop"})
    body = assert_conforms(app, created, "POST", "/api/v1/reports")
    assert created.status_code == 201 and (body["kind"], body["text"]) == ("post", "Fake shop")
    again = _api(client, tok["reader"], {"kind": kind, "target_id": reply_id, "reason": "spam"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_reported"
    assert_conforms(app, again, "POST", "/api/v1/reports")
    own = _api(client, tok["author"], {"kind": kind, "target_id": reply_id, "reason": "spam"})
    assert own.status_code == 422
    bad = _api(client, tok["reader"], {"kind": kind, "target_id": reply_id, "reason": "meh"})
    assert bad.status_code == 422
    assert_conforms(app, bad, "POST", "/api/v1/reports")
    for name in ("circle_reply", "message"):
        kind, target_id = seeded["targets"][name]
        hidden = _api(client, tok["outsider"], {"kind": kind, "target_id": target_id,
                                                "reason": "spam"})
        missing = _api(client, tok["outsider"], {"kind": kind, "target_id": 987654,
                                                 "reason": "spam"})
        assert hidden.status_code == missing.status_code == 404
        assert hidden.get_json() == missing.get_json()
        assert_conforms(app, hidden, "POST", "/api/v1/reports")
    assert _api(client, None, {"kind": "post", "target_id": reply_id,
                               "reason": "spam"}).status_code == 401
    with app.app_context():
        from community.reports.models import Report
        assert len(db.session.scalars(select(Report)).all()) == 1
