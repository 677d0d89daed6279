"""Password reset over real SMTP: no account enumeration, a link that works once and
for an hour, other sessions and API tokens ended, and clear pages for bad links."""

import statistics
import time
import uuid

import pytest
from helpers import PASSWORD, build_app, first_link, mail_parts, make_user

from community.accounts import links, service, tokens
from community.accounts.models import User
from community.kernel.database import transaction
from community.kernel.extensions import db
from community.mail import outbox, sender
from community.moderation import service as sanctions_service

NEW = "brand-new-pass-1"


def ask(client, email):
    return client.post("/forgot-password", data={"email": email})


def reset_link(app, smtp, address):
    with app.app_context():
        sender.send_due()
    assert smtp.wait_for(1)
    [message] = smtp.to(address)
    return first_link(mail_parts(message)[0], "/reset-password/").removeprefix("http://fanforge.test")


def test_a_known_and_an_unknown_address_get_the_same_answer(app, client, smtp):
    with app.app_context():
        make_user("known", email="known@example.com")
    client.get("/forgot-password")
    known, unknown = ask(client, "known@example.com"), ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    # About the same time too: both write one outbox row and nothing else.
    timings = {"known@example.com": [], "nobody@example.com": []}
    for _ in range(5):
        for address, spent in timings.items():
            started = time.perf_counter()
            ask(client, address)
            spent.append(time.perf_counter() - started)
    medians = [statistics.median(spent) for spent in timings.values()]
    assert abs(medians[0] - medians[1]) < 0.05, medians
    with app.app_context():
        totals = sender.send_due()
    assert totals == {"sent": 6, "skipped": 6}  # mail only where an account is
    assert smtp.wait_for(6) and {m["To"] for m in smtp.messages} == {"known@example.com"}


def test_the_link_resets_once_signs_in_and_ends_other_sessions_and_tokens(app, client, smtp):
    with app.app_context():
        fan = make_user("forgetful", email="forgetful@example.com")
        _token, plaintext = tokens.create_token(fan, "my bot")
    other = app.test_client()
    other.post("/login", data={"login": "forgetful", "password": PASSWORD})
    assert other.get("/settings").status_code == 200

    ask(client, "Forgetful@Example.com")
    link = reset_link(app, smtp, "forgetful@example.com")
    text, html = mail_parts(smtp.messages[0])
    assert "within an hour" in text and "Reset your password" in smtp.messages[0]["Subject"]
    assert client.get(link).status_code == 200
    mismatch = client.post(link, data={"new_password": NEW, "confirm": "different-1"})
    assert mismatch.status_code == 422
    done = client.post(link, data={"new_password": NEW, "confirm": NEW})
    assert done.status_code == 302
    assert client.get("/settings").status_code == 200  # signed in as forgetful
    assert other.get("/settings").status_code == 302  # the other session ended
    with app.app_context():
        assert service.authenticate("forgetful", NEW) is not None
        assert service.authenticate("forgetful", PASSWORD) is None
        assert tokens.user_for_token(plaintext) is None  # API tokens revoked

    used = app.test_client().get(link)  # the same link again
    assert used.status_code == 400 and 'data-reason="used"' in used.get_data(as_text=True)
    again = app.test_client().post(link, data={"new_password": "third-pass-1", "confirm": "third-pass-1"})
    assert again.status_code == 400
    with app.app_context():
        assert service.authenticate("forgetful", NEW) is not None  # nothing changed


def test_an_expired_link_is_a_clear_page(app, client, smtp):
    with app.app_context():
        make_user("slow", email="slow@example.com")
    ask(client, "slow@example.com")
    link = reset_link(app, smtp, "slow@example.com")
    app.config["PASSWORD_RESET_MAX_AGE"] = -1  # an hour has gone by
    page = client.get(link)
    assert page.status_code == 400 and 'data-reason="expired"' in page.get_data(as_text=True)
    posted = client.post(link, data={"new_password": NEW, "confirm": NEW})
    assert posted.status_code == 400
    with app.app_context():
        assert service.authenticate("slow", PASSWORD) is not None


def test_a_tampered_link_is_a_clear_page(app, client):
    with app.app_context():
        fan = make_user("target")
        token = links.reset_token(fan)
    for bad in (token[:-2] + "xx", "not-a-token", token.replace(".", "", 1)):
        page = client.get(f"/reset-password/{bad}")
        assert page.status_code == 400
        assert 'data-reason="invalid"' in page.get_data(as_text=True)


def test_a_banned_account_cannot_be_reset(app, client, smtp):
    with app.app_context():
        fan = make_user("rowdy", email="rowdy@example.com")
        staff = make_user(role="staff")
        token = links.reset_token(fan)
        sanctions_service.ban_user(fan, staff, "spam")
    page = client.get(f"/reset-password/{token}")
    assert page.status_code == 403 and 'data-reason="banned"' in page.get_data(as_text=True)
    assert client.post(f"/reset-password/{token}",
                       data={"new_password": NEW, "confirm": NEW}).status_code == 403
    ask(client, "rowdy@example.com")
    with app.app_context():
        assert sender.send_due() == {"skipped": 1}  # no mail for a banned account
        hashed = service.get_by_username("rowdy").password_hash
        assert service.authenticate("rowdy", PASSWORD) is not None and hashed


def test_two_submits_of_one_link_reset_once(ctx):
    from community.accounts import recovery
    from community.accounts.links import LinkProblem

    fan = make_user()
    token = links.reset_token(fan)
    recovery.reset_password(token, NEW)
    with pytest.raises(LinkProblem):
        recovery.reset_password(token, "another-pass-1")


def test_asking_is_limited_per_address_and_per_client(tmp_path):
    app = build_app(f"sqlite:///{tmp_path}/{uuid.uuid4().hex}.sqlite3", tmp_path,
                    RATELIMIT_ENABLED=True, RATELIMIT_RESET_ADDRESS="2 per hour",
                    RATELIMIT_RESET="5 per hour")
    with app.app_context():
        db.create_all()
    client = app.test_client()
    target = f"{uuid.uuid4().hex[:8]}@example.com"
    assert [ask(client, target).status_code for _ in range(3)] == [200, 200, 429]
    # Another address from the same client still works, up to the client's own limit.
    others = [ask(client, f"{uuid.uuid4().hex[:8]}@example.com").status_code for _ in range(4)]
    assert others[:2] == [200, 200] and others[-1] == 429
    with app.app_context():
        assert outbox.counts()["queued"] == 2 + others.count(200)


def test_a_link_sent_to_an_old_address_dies_with_the_address_change(app, client):
    with app.app_context():
        fan = make_user("mover", email="old@example.com")
        token = links.reset_token(fan)  # mailed to old@example.com
        with transaction():
            db.session.get(User, fan.id).email = "new@example.com"  # a confirmed change
    page = client.get(f"/reset-password/{token}")
    assert page.status_code == 400 and 'data-reason="used"' in page.get_data(as_text=True)
    assert client.post(f"/reset-password/{token}",
                       data={"new_password": NEW, "confirm": NEW}).status_code == 400
    with app.app_context():
        assert service.authenticate("mover", PASSWORD) is not None
