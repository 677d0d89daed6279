"""Close my account: password-confirmed, a grace period that signing in cancels, then
anonymised with every total kept, orders purged after their retention, and nothing of
the closed account's name, address or email left in any row of any table."""

from datetime import timedelta

import pytest
from helpers import PASSWORD, AuthActions, make_user
from sqlalchemy import JSON, String, Text, cast, func, select, update
from world_datarights import build

from community.accounts import service as accounts
from community.accounts import tokens
from community.accounts.tokens import ApiToken
from community.datarights import closure, export
from community.datarights.models import AccountClosure, DataExport
from community.forum.models import Post
from community.ideas.models import Idea, Vote
from community.kernel import jobs
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.mail import render
from community.mail.models import MailOutbox
from community.media import storage
from community.messages.models import Message
from products.addresses.models import Address
from products.orders.models import Order


@pytest.fixture
def world(app):
    app.config["CIRCLE_MIN_LEVEL"] = 0
    with app.app_context():
        return build()


def _ask(client, password=PASSWORD, posts="keep"):
    return client.post("/settings/data/close", data={
        "password": password, "posts": posts, "understood": "y"})


def _closed(app, world, posts="keep"):
    """Zoe asks to close through settings; the grace period runs out; the worker closes."""
    client = app.test_client()
    AuthActions(client).login("zoe_closing")
    assert _ask(client, posts=posts).status_code == 302
    with app.app_context():
        due = db.session.get(AccountClosure, world.zoe.user.id).due_at
        assert closure.close_due(now=due - timedelta(minutes=1)) == 0  # not yet
        assert closure.close_due(now=due + timedelta(seconds=1)) == 1
        assert closure.close_due(now=due + timedelta(seconds=2)) == 0  # once
    return client


def test_a_wrong_password_closes_nothing(app):
    with app.app_context():
        zoe = make_user("zoe_closing")
    client = app.test_client()
    AuthActions(client).login("zoe_closing")
    refused = _ask(client, password="not-my-password")
    assert refused.status_code == 422 and b"password is not right" in refused.data
    unticked = client.post("/settings/data/close", data={"password": PASSWORD, "posts": "keep"})
    assert unticked.status_code == 422
    with app.app_context():
        assert closure.pending(zoe.id) is None


def test_signing_in_within_the_grace_period_cancels_and_says_so(app):
    with app.app_context():
        zoe = make_user("zoe_closing")
        tokens.create_token(zoe, "a script")
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("zoe_closing")
    asked = _ask(client)
    assert asked.status_code == 302
    assert client.get("/settings").status_code == 302  # signed out everywhere
    with app.app_context():
        pending = closure.pending(zoe.id)
        grace = pending.due_at - pending.requested_at
        assert timedelta(days=13, hours=23) < grace <= timedelta(days=14)
        assert db.session.scalar(select(func.count()).select_from(ApiToken).where(
            ApiToken.user_id == zoe.id, ApiToken.revoked_at.is_(None))) == 0
        warning = db.session.scalar(select(MailOutbox).where(
            MailOutbox.kind == closure.MAIL_KIND, MailOutbox.user_id == zoe.id))
        letter = render.build_message(warning)
        assert letter.to == ["zoe_closing@example.com"]
        assert pending.due_at.strftime("%Y-%m-%d") in letter.body and "/login" in letter.body
    assert auth.login("zoe_closing").status_code == 302
    page = client.get("/").data.decode()
    assert "signing in has cancelled that" in page
    with app.app_context():
        assert closure.pending(zoe.id) is None
        assert render.build_message(warning) is None  # called off: the warning is not sent
        assert closure.close_due(now=utcnow() + timedelta(days=30)) == 0


def test_a_closed_account_is_anonymised_and_every_total_stays(app, world):
    with app.app_context():
        votes_before = {i: db.session.get(Idea, i).votes
                        for i in (world.zoe_idea_id, world.bob_idea_id)}
    _closed(app, world)
    zoe_id = world.zoe.user.id
    with app.app_context():
        user = db.session.get(accounts.User, zoe_id, populate_existing=True)
        assert user.username == f"deleted user {zoe_id}" and closure.is_closed(user)
        assert user.is_banned and accounts.authenticate(world.zoe.email, PASSWORD) is None
        assert accounts.authenticate(user.username, PASSWORD) is None
        after = {i: db.session.get(Idea, i, populate_existing=True).votes
                 for i in votes_before}
        assert after == votes_before
        assert db.session.scalar(select(func.count()).select_from(Vote).where(
            Vote.user_id == zoe_id)) == 1
        kept = db.session.scalars(select(Post).where(Post.author_id == zoe_id)).all()
        assert kept and all(p.deleted_at is None and world.zoe.said in p.body for p in kept)
        assert db.session.scalar(select(func.count()).select_from(Address).where(
            Address.user_id == zoe_id)) == 0
        assert db.session.scalar(select(func.count()).select_from(ApiToken).where(
            ApiToken.user_id == zoe_id)) == 0
        # The order is kept, with its address, until the retention ends.
        order = db.session.get(Order, world.order_ids["zoe_closing"])
        assert order.ship_name == world.zoe.recipient
    thread = app.test_client().get(f"/t/{world.thread_id}")
    assert f"deleted user {zoe_id}".encode() in thread.data and b"zoe_closing" not in thread.data
    profile = app.test_client().get(f"/u/deleted user {zoe_id}")
    assert profile.status_code == 200 and b"zoe_closing" not in profile.data
    assert AuthActions(app.test_client()).login("zoe_closing").status_code == 422


def test_posts_and_messages_go_when_the_member_chose_so(app, world):
    _closed(app, world, posts="remove")
    zoe_id = world.zoe.user.id
    with app.app_context():
        posts = db.session.scalars(select(Post).where(Post.author_id == zoe_id)).all()
        assert posts and all(p.deleted_at is not None and p.body == "" for p in posts)
        sent = db.session.scalars(select(Message).where(Message.author_id == zoe_id)).all()
        assert sent and all(m.hidden and world.zoe.said not in m.body for m in sent)
        bobs = db.session.scalars(select(Post).where(Post.author_id == world.bob.user.id)).all()
        assert all(world.bob.said in p.body for p in bobs)  # others' posts untouched


def _text_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON):
                yield table, column


def _rows_holding(text):
    """table.column of every row, in every table, whose text holds `text` (any case)."""
    found = []
    for table, column in _text_columns():
        # Every column read as text: JSON, and PostgreSQL's tsvector (search lexemes) too.
        value = cast(column, Text)
        hits = db.session.scalar(select(func.count()).select_from(table).where(
            func.lower(value).contains(text.lower())))
        if hits:
            found.append(f"{table.name}.{column.name}")
    return found


def test_after_the_purge_no_row_anywhere_holds_the_closed_accounts_identity(app, world):
    zoe = world.zoe
    identity = (zoe.email, "zoe_closing", zoe.recipient, zoe.street, zoe.phone)
    with app.app_context():
        assert _rows_holding(zoe.street) == ["addresses.street", "orders.ship_address"]
    _closed(app, world)
    with app.app_context():
        # Closed: only the order, kept for the law, still says who and where.
        assert {hit for text in identity for hit in _rows_holding(text)} == {
            "orders.ship_address", "orders.ship_name", "orders.ship_phone"}
        years = timedelta(days=app.config["ORDER_RETENTION_DAYS"])
        assert closure.purge_due(now=utcnow() + years - timedelta(days=1)) == 0
        assert closure.purge_due(now=utcnow() + years + timedelta(days=1)) == 1
        for text in identity:
            assert _rows_holding(text) == [], text
        assert _rows_holding(world.bob.street) == ["addresses.street", "orders.ship_address"]
        order = db.session.get(Order, world.order_ids["zoe_closing"], populate_existing=True)
        assert order.total_cents > 0 and order.ship_name is None
        assert db.session.get(AccountClosure, zoe.user.id).purged_at is not None


def test_the_worker_closes_what_is_due_and_its_export_goes_too(app):
    with app.app_context():
        zoe = make_user("zoe_closing")
        export.request_export(zoe)
        assert jobs.JOBS[export.BUILD_TASK].func() == 1
        name = export.latest(zoe.id).file_name
        closure.request_closure(zoe, PASSWORD, keep_posts=True)
        with transaction():
            db.session.execute(update(AccountClosure).values(
                due_at=utcnow() - timedelta(minutes=1)))
        assert jobs.run_periodic("datarights.close_due") == "1 account(s) closed, 1 purged"
        assert storage.backend().get(name) is None
        assert db.session.scalar(select(func.count()).select_from(DataExport)) == 0
