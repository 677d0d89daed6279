"""The task queue: every package's jobs are registered, a scheduled minute runs once
however many workers fire it, outcomes are kept for staff, and Huey runs the tasks."""

import socket
import threading
import time
from datetime import datetime, timedelta

import pytest
from helpers import make_user
from sqlalchemy import select

from community.accounts import service as accounts
from community.kernel import jobs
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.kernel.jobs import JobRun
from community.mail import outbox, sender

PERIODIC = {"search.drain", "catalog.flush_views", "campaigns.settle_due", "rounds.close_due",
            "mail.digests", "mail.sweep", "mail.purge", "accounts.purge_expired"}


def test_every_package_registers_its_jobs(ctx):
    assert {name for name, job in jobs.JOBS.items() if job.schedule} >= PERIODIC
    assert jobs.JOBS["mail.send"].on_start and not jobs.JOBS["mail.send"].schedule
    huey, tasks = jobs.queue()
    assert set(jobs.JOBS) <= set(tasks)
    # Every minute jobs run every minute; the digest job hourly, the purge nightly (UTC).
    due = {t.name for t in huey.read_periodic(datetime(2030, 1, 1, 3, 5))}
    assert {"search.drain", "mail.sweep", "mail.digests", "rounds.close_due"} <= due
    assert "mail.purge" not in due
    assert "mail.purge" in {t.name for t in huey.read_periodic(datetime(2030, 1, 1, 3, 40))}


def test_a_scheduled_minute_runs_once_and_its_outcome_is_kept(ctx, monkeypatch):
    calls = []
    monkeypatch.setitem(jobs.JOBS, "test.job",
                        jobs.Job("test.job", lambda: calls.append(1) or "did it", {"minute": "*"}))
    now = utcnow().replace(second=10)
    assert jobs.run_periodic("test.job", now) == "did it"
    assert jobs.run_periodic("test.job", now + timedelta(seconds=30)) is None  # same minute
    assert jobs.run_periodic("test.job", now + timedelta(minutes=1)) == "did it"
    assert len(calls) == 2
    run = db.session.get(JobRun, "test.job")
    assert (run.outcome, run.detail) == ("ok", "did it") and run.finished_at >= run.started_at


def test_a_failing_job_is_recorded_and_runs_again_next_minute(ctx, monkeypatch):
    def broken():
        raise ValueError("the disk is full")

    monkeypatch.setitem(jobs.JOBS, "test.broken", jobs.Job("test.broken", broken, {"minute": "*"}))
    assert jobs.run_periodic("test.broken") is None
    run = db.session.get(JobRun, "test.broken")
    assert run.outcome == "error" and "the disk is full" in run.detail


def test_huey_runs_a_kicked_task_in_the_app(app, smtp):
    with app.app_context():
        make_user(verified=False)  # commits a mail and kicks mail.send
        huey, _tasks = jobs.queue()
        assert huey.pending_count() == 1
    huey.execute(huey.dequeue())  # what a worker thread does, with no app context of its own
    assert smtp.wait_for(1)
    with app.app_context():
        assert outbox.counts()["sent"] == 1


def test_periodic_tasks_run_through_huey_and_record_their_run(app):
    from products.catalog import views_counter

    huey, tasks = jobs.queue(app)
    views_counter.counter(app).record(12345)  # no such product: the UPDATE touches nothing
    tasks["catalog.flush_views"].call_local()
    with app.app_context():
        run = db.session.scalar(select(JobRun).where(JobRun.name == "catalog.flush_views"))
        assert run.outcome == "ok" and run.detail == "1 view(s) written"
    assert views_counter.counter(app).pending() == 0


def test_a_queue_that_is_down_does_not_break_the_request(app, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis is away")

    monkeypatch.setattr(jobs, "queue", down)
    with app.app_context():
        make_user(verified=False)  # commits fine; the minute sweep will send it
        assert outbox.counts()["queued"] == 1


@pytest.mark.parametrize(("role", "status"), [("fan", 403), ("staff", 200)])
def test_the_jobs_page_is_for_staff(app, client, auth, role, status):
    with app.app_context():
        make_user("viewer", role=role)
    auth.login("viewer")
    assert client.get("/staff/jobs").status_code == status


def test_the_jobs_page_shows_mail_counts_failed_mail_and_job_runs(app, client, auth, smtp):
    with app.app_context():
        make_user("boss", role="staff")
        make_user(verified=False)
        jobs.run_periodic("rounds.close_due")
        smtp.stop()
        app.config["MAIL_RETRY_DELAYS"] = []  # fail at the first try
        assert sender.send_due() == {"failed": 1}
    auth.login("boss")
    page = client.get("/staff/jobs").get_data(as_text=True)
    assert 'data-testid="count-failed">1<' in page and 'data-testid="count-queued">0<' in page
    assert "Connection refused" in page or "Errno" in page
    assert 'data-job="rounds.close_due"' in page and "0 opened, 0 closed" in page
    assert 'data-job="mail.digests"' in page
    assert client.post("/staff/jobs/mail/retry").status_code == 302
    with app.app_context():
        assert outbox.counts() == {"queued": 1, "failed": 0, "sent": 0, "skipped": 0}


def test_the_worker_command_is_there(runner):
    result = runner.invoke(args=["worker", "--help"])
    assert result.exit_code == 0 and "--threads" in result.output


# ---- waking on time ----------------------------------------------------------

def _claimed_by_a_dead_worker(seconds):
    """One queued mail, claimed by a worker that will never mark it, until `seconds` on."""
    make_user(verified=False)  # its confirmation mail, queued
    now = utcnow()
    assert outbox.claim("dead-host:1:1", 10, seconds, now)
    return now + timedelta(seconds=seconds)


def _take_wake_ups(huey):
    """Empty the queue; the tasks in it that wait for a time (a consumer would hold them
    in its schedule until then), soonest first."""
    tasks = []
    while (task := huey.dequeue()) is not None:
        tasks.append(task)
    return sorted((task for task in tasks if task.eta), key=lambda task: task.eta)


@pytest.mark.parametrize("seconds", [2.2, 3.3])
def test_a_wake_up_never_comes_before_the_claim_it_waits_for(ctx, seconds):
    lapses = _claimed_by_a_dead_worker(seconds)
    assert sender.send_due() == {}  # nothing free: the worker asks to be woken
    [wake_up] = _take_wake_ups(jobs.queue()[0])
    assert lapses <= wake_up.eta <= lapses + timedelta(seconds=1.5)


def test_a_wake_up_that_finds_nothing_due_asks_for_the_next(app):
    """A wake-up may find the claim still held (another host's clock, a slow scheduler):
    it must ask again, or the mail waits for the minute sweep."""
    with app.app_context():
        lapses = _claimed_by_a_dead_worker(30)
        sender.send_due()
        huey, _tasks = jobs.queue()
        [wake_up] = _take_wake_ups(huey)
        assert sender.send_due() == {} and _take_wake_ups(huey) == []  # one pending is enough
    huey.execute(wake_up, timestamp=wake_up.eta)  # a scheduler's clock says it is time; ours not
    [again] = _take_wake_ups(huey)
    assert again.eta >= lapses


def test_a_frozen_queue_neither_holds_nor_fails_a_saved_write(app, client):
    """Redis that accepts connections and never answers: the sign-up's kick after its commit
    gives up after QUEUE_TIMEOUT, and the account and its mail are saved."""
    frozen = socket.create_server(("127.0.0.1", 0), backlog=16)  # never accepts, never answers
    app.config.update(QUEUE_URL=f"redis://127.0.0.1:{frozen.getsockname()[1]}/0", QUEUE_TIMEOUT=1)
    answers = []
    data = {"username": "patient", "email": "patient@example.com",
            "password": "violet-harbour-1987-kites"}
    signing_up = threading.Thread(target=lambda: answers.append(client.post("/register", data=data)),
                                  daemon=True)
    started = time.monotonic()
    try:
        signing_up.start()
        signing_up.join(timeout=15)
        took = time.monotonic() - started
    finally:
        frozen.close()  # a kick still waiting gets a reset and lets go
        signing_up.join(timeout=5)
    assert took < 5, f"the sign-up waited {took:.1f} s on the queue"
    # Sign-up answers its 'check your mail' page (it tells nobody whether the address was new).
    assert answers[0].status_code == 200
    with app.app_context():
        assert accounts.get_by_username("patient") is not None
        assert outbox.counts()["queued"] == 1
