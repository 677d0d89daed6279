"""Flask-Login's user loader (community/viewer/readers.py): a page members share is drawn
for a Reader (one row with the header's figures), anything else for the full account, and
the account's session rules (auth version, ban, suspension, role) hold for both alike."""

from datetime import timedelta

import pytest
from flask import g
from helpers import PASSWORD, build_app, make_user
from querycount import counting

from community.accounts.models import Reader, User
from community.kernel import database
from community.kernel.extensions import db
from community.viewer import readers


@pytest.mark.parametrize("method, path, light", [
    ("GET", "/ideas", True), ("HEAD", "/ideas", True), ("GET", "/search", True),
    ("POST", "/ideas", False),  # a write's use case may change or link the account
    ("GET", "/settings", False), ("GET", "/u/lin", False),  # not pages members share
    ("GET", "/no/such/page", False)])
def test_a_page_members_share_loads_a_reader_and_anything_else_the_account(
        app, method, path, light):
    with app.app_context():
        session_id = make_user("lin").get_id()
    with app.test_request_context(path, method=method):
        user = readers.load_user(session_id)
        assert isinstance(user, Reader if light else User) and user.username == "lin"
        if light:  # and the header's figures came with it: no statement of their own
            assert g.account_header == {"bell": None, "envelope": None, "checked_in": False}


def test_a_reader_keeps_the_accounts_session_rules(app):
    with app.app_context():
        lin, boss = make_user("lin"), make_user("boss", role="staff")
        session_id, staff_id = lin.get_id(), boss.get_id()
        lin.suspended_until = database.utcnow() + timedelta(days=1)
        db.session.commit()
    with app.test_request_context("/ideas"):
        reader = readers.load_user(session_id)
        assert reader.is_suspended and not reader.is_banned and not reader.is_staff
        assert readers.load_user(staff_id).is_staff
        assert readers.load_user(f"{session_id.split('.')[0]}.99") is None  # signed out elsewhere
    with app.app_context():
        db.session.get(User, int(session_id.split(".")[0])).banned_at = database.utcnow()
        db.session.commit()
    with app.test_request_context("/ideas"):
        assert readers.load_user(session_id) is None


def test_a_fans_rendered_shared_page_reads_no_full_account(tmp_path):
    """Page cache off, every page is rendered: the reader and the header's figures come
    in one statement, and nothing on the page asks for more of the account."""
    app = build_app(f"sqlite:///{tmp_path}/off.sqlite3", tmp_path, CACHE_URL="none")
    with app.app_context():
        db.create_all()
        make_user("lin")
    client = app.test_client()
    assert client.post("/login", data={"login": "lin", "password": PASSWORD}).status_code == 302
    for path in ("/", "/ideas", "/search?q=battery", "/leaderboards"):
        with counting(app) as statements:
            page = client.get(path)
        assert page.status_code == 200 and 'class="me">lin</a>' in page.get_data(as_text=True)
        users = [sql for sql in statements if "users.auth_version" in sql]
        assert len(users) == 1 and "FROM notifications" in users[0], (path, statements)
