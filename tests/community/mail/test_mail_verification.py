"""Confirming addresses: the sign-up mail over real SMTP, its link, a new address that
counts only once confirmed, and what an unconfirmed account may not do."""

import re

import pytest
from helpers import (
    PASSWORD,
    first_link,
    mail_parts,
    make_board,
    make_campaign,
    make_thread,
    make_user,
)

from community.accounts import service as accounts
from community.accounts import verification
from community.forum import service as forum
from community.ideas import service as ideas
from community.kernel.extensions import db
from community.mail import sender
from products.orders import service as orders


def send_and_read(app, smtp, count=1):
    with app.app_context():
        sender.send_due()
    assert smtp.wait_for(count)
    return smtp.messages[count - 1]


def user(app, name):
    with app.app_context():
        return accounts.get_by_username(name)


def test_sign_up_mails_a_confirmation_link_in_the_users_language(app, client, smtp):
    response = client.post("/register", headers={"Accept-Language": "zh-CN,zh;q=0.9"},
                           data={"username": "xiaoming", "email": "xm@example.com",
                                 "password": "long-enough"})
    assert response.status_code == 200
    message = send_and_read(app, smtp)
    assert message["To"] == "xm@example.com"
    assert message["Message-ID"].startswith("<fanforge.")
    text, html = mail_parts(message)
    assert "Fanforge" in message["Subject"] and "http://fanforge.test/" in text
    assert 'lang="zh-CN"' in html and "http://fanforge.test/" in html
    # Written in Chinese, the language the fan signed up in (translations/zh).
    assert "验证你的邮箱地址" in message["Subject"] and "xiaoming，你好" in text
    link = first_link(text, "/confirm-email/")
    assert link in html
    assert user(app, "xiaoming").email_verified_at is None

    page = client.get(link.removeprefix("http://fanforge.test"))
    assert page.status_code == 200 and 'data-what="confirmed"' in page.get_data(as_text=True)
    assert user(app, "xiaoming").email_verified_at is not None
    again = client.get(link.removeprefix("http://fanforge.test"))  # a used link
    assert again.status_code == 200 and 'data-what="already"' in again.get_data(as_text=True)


def test_an_english_sign_up_gets_english_mail(app, client, smtp):
    client.post("/register", headers={"Accept-Language": "en-US"},
                data={"username": "anna", "email": "anna@example.com", "password": "long-enough"})
    text, html = mail_parts(send_and_read(app, smtp))
    assert "Confirm that anna@example.com is your email address" in text
    assert 'lang="en"' in html


@pytest.mark.parametrize("spoil", ["tamper", "expire", "other_user"])
def test_a_bad_confirmation_link_is_a_clear_page_and_changes_nothing(app, client, smtp, spoil):
    from community.accounts import links

    with app.app_context():
        fan = make_user("unsure", verified=False)
        token = links.verify_token(fan.id, fan.email)
    if spoil == "tamper":
        token = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    elif spoil == "expire":
        app.config["VERIFY_EMAIL_MAX_AGE"] = -1
    else:
        with app.app_context():
            token = links.verify_token(fan.id, "someone-else@example.com")
    page = client.get(f"/confirm-email/{token}")
    body = page.get_data(as_text=True)
    assert page.status_code == 400 and "data-testid=\"link-problem\"" in body
    assert "Nothing was changed." in body
    assert user(app, "unsure").email_verified_at is None


def test_a_new_address_counts_only_once_confirmed(app, client, auth, smtp):
    with app.app_context():
        make_user("mover", email="old@example.com")
    auth.login("mover")
    wrong = client.post("/settings/email", data={"email": "new@example.com", "password": "nope"})
    assert wrong.status_code == 422 and "password is not right" in wrong.get_data(as_text=True)
    client.post("/settings/email", data={"email": "new@example.com", "password": PASSWORD})
    fan = user(app, "mover")
    assert fan.email == "old@example.com" and fan.pending_email == "new@example.com"
    assert fan.email_verified_at is not None  # the old address still counts meanwhile
    message = send_and_read(app, smtp)
    assert message["To"] == "new@example.com"
    link = first_link(mail_parts(message)[0], "/confirm-email/")
    page = client.get(link.removeprefix("http://fanforge.test"))
    assert 'data-what="changed"' in page.get_data(as_text=True)
    fan = user(app, "mover")
    assert fan.email == "new@example.com" and fan.pending_email is None
    assert client.get(link.removeprefix("http://fanforge.test")).status_code == 200  # used: harmless


def test_a_taken_address_cannot_be_confirmed(app, smtp):
    from community.accounts import links

    with app.app_context():
        mover = make_user("mover2")
        verification.request_change(mover, "shared@example.com", PASSWORD)
        token = links.verify_token(mover.id, "shared@example.com")
        make_user("first", email="shared@example.com")
    response = app.test_client().get(f"/confirm-email/{token}")
    assert response.status_code == 400 and 'data-reason="taken"' in response.get_data(as_text=True)
    assert user(app, "mover2").email == "mover2@example.com"


def test_resending_the_link_is_rate_limited(tmp_path, smtp_server):
    import uuid

    from helpers import build_app

    app = build_app(f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.sqlite3", tmp_path,
                    RATELIMIT_ENABLED=True, RATELIMIT_RESEND="2 per hour")
    with app.app_context():
        db.create_all()
        make_user("forgetful", verified=False)
    client = app.test_client()
    client.post("/login", data={"login": "forgetful", "password": PASSWORD})
    for _ in range(2):
        response = client.post("/settings/email/confirm")
        assert response.status_code == 302
    assert client.post("/settings/email/confirm").status_code == 429
    with app.app_context():
        from community.mail.outbox import counts

        assert counts()["queued"] == 3  # the sign-up mail and two resends


def test_an_unconfirmed_account_reads_and_votes_but_does_not_post_or_pre_order(ctx):
    board = make_board()
    thread = make_thread(board=board)
    idea = ideas.propose(board, make_user(), "Longer battery life", "Please.")
    newbie = make_user("newbie", verified=False)
    with pytest.raises(Exception) as posting:
        forum.create_thread(board, newbie, "Hello there", "First post")
    assert getattr(posting.value, "code", None) == "email_unverified"
    with pytest.raises(Exception) as replying:
        forum.reply(thread, newbie, "Me too")
    assert replying.value.code == "email_unverified"
    with pytest.raises(Exception) as proposing:
        ideas.propose(board, newbie, "Another idea here", "Body")
    assert proposing.value.code == "email_unverified"
    campaign = make_campaign()
    with pytest.raises(Exception) as ordering:
        orders.place_order(campaign.id, newbie, campaign.tiers[0].id, 1, "key-1")
    assert ordering.value.code == "email_unverified"
    from community.messages import service as messages

    make_user("friend")
    with pytest.raises(Exception) as messaging:
        messages.start(newbie, ["friend"])
    assert messaging.value.code == "email_unverified"
    ideas.vote(idea.id, newbie)  # voting is open
    forum.set_like(_first_post(thread), newbie, True)  # so is liking
    ctx.config["REQUIRE_VERIFIED_EMAIL"] = False
    assert forum.create_thread(board, newbie, "Hello there", "First post").id


def _first_post(thread):
    from sqlalchemy import select

    from community.forum.models import Post

    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.position == 0))


def test_an_unconfirmed_account_sees_why_it_cannot_post(app, client, auth):
    with app.app_context():
        board = make_board()
        make_user("newbie", verified=False)
    auth.login("newbie")
    response = client.post(f"/b/{board.slug}/new", data={"title": "Hello there", "body": "Hi"})
    assert response.status_code == 422  # the form comes back with the reason on it
    assert "Confirm your email address first" in response.get_data(as_text=True)
    settings = client.get("/settings").get_data(as_text=True)
    assert 'data-testid="email-unconfirmed-badge"' in settings
    assert 'data-testid="resend-confirmation"' in settings


def test_sign_up_never_tells_whether_an_address_has_an_account(app, client, smtp):
    with app.app_context():
        make_user("owner", email="owner@example.com")
    taken = client.post("/register", data={"username": "intruder", "email": "Owner@example.com",
                                           "password": "long-enough"})
    fresh = app.test_client().post("/register", data={
        "username": "newcomer", "email": "newcomer@example.com", "password": "long-enough"})
    assert taken.status_code == fresh.status_code == 200
    def page(response, address):  # each session has its own CSRF token
        html = response.get_data(as_text=True).replace(address, "X")
        return re.sub(r'(content|value)="[\w.-]{60,}"', "", html)

    assert page(taken, "owner@example.com") == page(fresh, "newcomer@example.com")
    assert "already exists" not in taken.get_data(as_text=True)
    assert client.get_cookie("session") is None or "owner" not in client.get("/").get_data(
        as_text=True)
    with app.app_context():
        assert accounts.count_users() == 2  # the owner and the newcomer; no intruder
        assert accounts.get_by_username("owner").email == "owner@example.com"
    messages = {m["To"]: m for m in (send_and_read(app, smtp, 2), smtp.messages[0])}
    text, html = mail_parts(messages["owner@example.com"])
    assert "Someone tried to sign up" in messages["owner@example.com"]["Subject"]
    assert "http://fanforge.test/login" in text and "http://fanforge.test/forgot-password" in text
    assert "/confirm-email/" not in text
    assert "/confirm-email/" in mail_parts(messages["newcomer@example.com"])[0]
