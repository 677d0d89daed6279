"""The outbox: rows commit with their cause, claims never overlap, a failed send is
retried with backoff and then listed for staff, and a mail keeps its Message-ID."""

from datetime import timedelta

import pytest
from helpers import make_user
from sqlalchemy import func, select

from community import mail
from community.kernel import jobs
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.mail import outbox, sender
from community.mail.models import MailOutbox


def rows(status=None):
    stmt = select(func.count()).select_from(MailOutbox)
    if status:
        stmt = stmt.where(MailOutbox.status == status)
    return db.session.scalar(stmt)


def pending_kicks():
    huey, _tasks = jobs.queue()
    return huey.pending_count()


def queue_verify(user):
    with transaction():
        mail.queue("verify_email", user_id=user.id)


def test_a_mail_is_written_with_its_cause_and_kicks_a_worker_after_commit(ctx):
    user = make_user(verified=False)  # sign-up queues its confirmation mail
    assert rows("queued") == 1 and pending_kicks() == 1
    with pytest.raises(RuntimeError), transaction():
        mail.queue("verify_email", user_id=user.id)
        raise RuntimeError("the use case fails")
    assert rows() == 1 and pending_kicks() == 1  # nothing written, nobody woken


def test_claims_never_overlap_and_a_dead_workers_claim_expires(ctx):
    user = make_user()
    for _ in range(5):
        queue_verify(user)
    first = outbox.claim("worker-a", 3, lease_seconds=60)
    second = outbox.claim("worker-b", 3, lease_seconds=60)
    assert len(first) == 3 and len(second) == 2 and not set(first) & set(second)
    assert outbox.claim("worker-c", 10, 60) == []
    # worker-a dies: its claim runs out and the rows go to the next worker.
    later = utcnow() + timedelta(seconds=61)
    assert outbox.claim("worker-c", 10, 60, now=later) == sorted(first + second)


def test_a_failing_send_is_retried_with_backoff_then_failed_then_retried_by_staff(ctx, smtp):
    user = make_user(verified=False)
    smtp.stop()  # nothing listens on the port: every try is refused
    start = utcnow()
    now, tries = start, []
    for _ in range(10):
        totals = sender.send_due(now=now)
        if totals:
            tries.append(now)
        row = db.session.scalar(select(MailOutbox))
        if row.status == "failed":
            break
        now = row.next_attempt_at
    assert row.status == "failed" and row.attempts == len(tries) >= 5
    assert tries[-1] - start >= timedelta(hours=1)  # at least five tries over an hour
    assert "Connection refused" in row.last_error or "Errno" in row.last_error
    assert outbox.failed_rows()[0].id == row.id
    smtp.start()
    assert outbox.retry() == 1
    assert sender.send_due() == {"sent": 1}
    assert smtp.wait_for(1) and smtp.to(user.email)
    assert rows("sent") == 1


def test_the_message_id_is_stable_across_tries(ctx, smtp):
    make_user(verified=False)
    smtp.stop()
    assert sender.send_due() == {"retry": 1}
    smtp.start()
    row = db.session.scalar(select(MailOutbox))
    assert sender.send_due(now=row.next_attempt_at) == {"sent": 1}
    smtp.wait_for(1)
    db.session.refresh(row)
    assert smtp.messages[0]["Message-ID"] == row.message_id("fanforge.test")
    assert row.attempts == 2 and row.sent_at is not None


def test_a_mail_no_longer_wanted_is_skipped_not_sent(ctx, smtp):
    user = make_user()  # confirmed: its confirmation mail has nothing left to say
    queue_verify(user)
    assert sender.send_due() == {"skipped": 1}
    assert smtp.messages == [] and rows("skipped") == 1


def test_a_refused_recipient_fails_at_once(ctx, smtp, monkeypatch):
    import smtplib

    make_user(verified=False)

    def refuse(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"no such user")})

    monkeypatch.setattr("flask_mailman.backends.smtp.EmailBackend.send_messages", refuse)
    assert sender.send_due() == {"failed": 1}
    assert "550" in outbox.failed_rows()[0].last_error


def test_several_senders_at_once_send_each_mail_once(app, smtp):
    from concurrent.futures import ThreadPoolExecutor

    with app.app_context():
        user = make_user()
        with transaction():
            for _ in range(30):
                mail.queue("reset_password", to=user.email)
    app.config["MAIL_BATCH"] = 4

    def run(_):
        with app.app_context():
            return sender.send_due()["sent"]

    with ThreadPoolExecutor(max_workers=3) as pool:
        assert sum(pool.map(run, range(3))) == 30
    assert smtp.wait_for(30)
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == len(set(ids)) == 30
