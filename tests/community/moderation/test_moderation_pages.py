"""The staff page for a member (/mod/users/<name>), the suspended member's notice on every
page (a hole: never in a page stored for others), and the log and record it leaves."""

from datetime import timedelta

import pytest
from helpers import PASSWORD, make_board, make_thread, make_user
from sqlalchemy import select

from community.accounts import service as accounts
from community.audit.models import AuditEntry
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.moderation.models import Sanction


@pytest.fixture
def people(sqlite_app):
    with sqlite_app.app_context():
        make_user("rowdy")
        make_user("bystander")
        make_user("warden", role="staff")
        make_user("chief", role="admin")
        board = make_board(slug="plaza")
        thread_id = make_thread(board=board, title="Town square").id
    return {"thread": thread_id}


def _client(app, name):
    client = app.test_client()
    assert client.post("/login", data={"login": name, "password": PASSWORD}).status_code == 302
    return client


def test_the_member_page_is_staff_only(sqlite_app, people):
    assert _client(sqlite_app, "bystander").get("/mod/users/rowdy").status_code == 403
    assert sqlite_app.test_client().get("/mod/users/rowdy").status_code == 302  # sign in
    staff = _client(sqlite_app, "warden")
    page = staff.get("/mod/users/rowdy")
    assert page.status_code == 200 and "In good standing." in page.get_data(as_text=True)
    assert staff.get("/mod/users/nobody-here").status_code == 404
    assert 'href="/mod/users/rowdy"' in staff.get("/u/rowdy").get_data(as_text=True)


def test_suspend_from_the_page_and_the_member_sees_why_until_when(sqlite_app, people):
    staff = _client(sqlite_app, "warden")
    done = staff.post("/mod/users/rowdy/suspend",
                      data={"length": "week", "reason": "Shouting at newcomers"},
                      follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Account suspended." in text and 'data-testid="member-suspended"' in text
    assert "Shouting at newcomers" in staff.get("/mod/log").get_data(as_text=True)

    thread_page = f"/t/{people['thread']}"
    rowdy = _client(sqlite_app, "rowdy")
    page = rowdy.get(thread_page).get_data(as_text=True)
    assert 'data-testid="suspension-notice"' in page and "Shouting at newcomers" in page
    refused = rowdy.post(f"{thread_page}/reply", data={"body": "I was right"})
    assert refused.status_code == 403
    assert "suspended until" in refused.get_data(as_text=True)
    # The notice is the reader's own: the same page, stored or not, shows nobody else.
    for other in (sqlite_app.test_client(), _client(sqlite_app, "bystander")):
        for _ in range(2):
            assert 'suspension-notice' not in other.get(thread_page).get_data(as_text=True)
    assert 'suspension-notice' in rowdy.get(thread_page).get_data(as_text=True)

    staff.post("/mod/users/rowdy/lift", data={"reason": "apologised"})
    assert 'suspension-notice' not in rowdy.get(thread_page).get_data(as_text=True)
    assert rowdy.post(f"{thread_page}/reply", data={"body": "Sorry all"}).status_code == 302


def test_bad_suspensions_are_form_errors(sqlite_app, people):
    soon = utcnow() + timedelta(days=30)
    staff = _client(sqlite_app, "warden")
    no_reason = staff.post("/mod/users/rowdy/suspend", data={"length": "day", "reason": ""})
    assert no_reason.status_code == 422
    past = staff.post("/mod/users/rowdy/suspend", data={
        "length": "custom", "until": "2001-01-01T10:00", "reason": "late"})
    assert past.status_code == 422
    assert "must be in the future" in past.get_data(as_text=True)
    no_date = staff.post("/mod/users/rowdy/suspend", data={"length": "custom", "reason": "x"})
    assert no_date.status_code == 422 and "Say until when." in no_date.get_data(as_text=True)
    custom = staff.post("/mod/users/rowdy/suspend", data={
        "length": "custom", "until": soon.strftime("%Y-%m-%dT%H:%M"), "reason": "a long rest"})
    assert custom.status_code == 302
    with sqlite_app.app_context():
        ends = accounts.get_by_username("rowdy").suspended_until
    assert abs(ends - soon) < timedelta(days=1)  # the community's zone, stored in UTC
    itself = staff.post("/mod/users/warden/suspend", data={"length": "day", "reason": "me"})
    assert itself.status_code == 403


def test_warn_and_ban_from_the_page(sqlite_app, people):
    staff = _client(sqlite_app, "warden")
    assert staff.post("/mod/users/rowdy/warn",
                      data={"reason": "Mind your language"}).status_code == 302
    with sqlite_app.app_context():
        conversation_id = db.session.scalar(select(Sanction.conversation_id))
    rowdy = _client(sqlite_app, "rowdy")
    assert f"/conversations/{conversation_id}" in rowdy.get("/conversations").get_data(as_text=True)
    warning = rowdy.get(f"/conversations/{conversation_id}").get_data(as_text=True)
    assert "A warning from the moderators: Mind your language" in warning
    assert staff.post("/mod/users/rowdy/ban", data={"reason": "Sock puppets"}).status_code == 302
    assert rowdy.get("/settings").status_code == 302  # signed out everywhere
    record = staff.get("/mod/users/rowdy").get_data(as_text=True)
    assert "Mind your language" in record and "Sock puppets" in record
    assert staff.post("/mod/users/rowdy/unban", data={"reason": ""}).status_code == 302
    with sqlite_app.app_context():
        kinds = db.session.scalars(select(Sanction.kind).order_by(Sanction.id)).all()
    assert kinds == ["warning", "ban"]


def test_admins_change_roles_on_the_page_and_the_audit_log_keeps_it(sqlite_app, people):
    staff = _client(sqlite_app, "warden")
    assert staff.post("/mod/users/rowdy/role", data={"role": "staff"}).status_code == 403
    chief = _client(sqlite_app, "chief")
    assert 'data-testid="role-form"' in chief.get("/mod/users/rowdy").get_data(as_text=True)
    assert chief.post("/mod/users/rowdy/role", data={"role": "staff"}).status_code == 302
    assert chief.post("/mod/users/rowdy/role", data={"role": "king"}).status_code == 422
    with sqlite_app.app_context():
        assert accounts.get_by_username("rowdy").role == "staff"
        entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.detail) == ("role", "fan -> staff")
    log = staff.get("/staff/audit").get_data(as_text=True)
    assert "Role changed" in log and "fan -&gt; staff" in log and "chief" in log
    assert "<td>rowdy</td>" in log  # the target by its name now (the entry holds its id)
    assert _client(sqlite_app, "bystander").get("/staff/audit").status_code == 403
    # Read-only: no route of the audit log takes anything but a read.
    writes = [r for r in sqlite_app.url_map.iter_rules()
              if r.rule.startswith("/staff/audit") and r.methods - {"GET", "HEAD", "OPTIONS"}]
    assert writes == []
