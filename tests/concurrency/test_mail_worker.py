"""Real `flask worker` processes against a real SMTP server, on the embedded (SQLite)
queue and on Redis: mail written while the server is down arrives once it is back, and
a worker killed in the middle of 200 mails loses none (a duplicate is only a mail that
was in flight at the kill, told apart by its Message-ID)."""

import contextlib
import os
import socket
import time
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from helpers import SmtpServer, make_user
from servers import ROOT, Zygote
from sqlalchemy import func, select

from community import mail
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.mail.models import MailOutbox

pytestmark = pytest.mark.concurrency
REDIS = ("127.0.0.1", 6379)
THREADS = 2


def _redis_up():
    with contextlib.suppress(OSError), socket.create_connection(REDIS, timeout=1):
        return True
    return False


@pytest.fixture
def queue(app, tmp_path):
    """Point the test's app at a queue of its own; returns its FANFORGE_QUEUE_* settings.
    Each database with the queue it is deployed with: the embedded one beside SQLite
    (`make run`), Redis beside PostgreSQL (README's production), so each queue and each
    database is tried once without running all four pairs."""
    name = f"fanforge-test-{uuid.uuid4().hex[:10]}"
    redis = app.backend == "postgresql"
    if redis:
        if not _redis_up():
            if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
                pytest.fail("Redis is not answering on 127.0.0.1:6379")
            pytest.skip("Redis is not answering on 127.0.0.1:6379")
        url = f"redis://{REDIS[0]}:{REDIS[1]}/0"
    else:
        url = f"sqlite:///{tmp_path}/queue.sqlite3"
    app.config.update(QUEUE_URL=url, QUEUE_NAME=name)
    yield {"FANFORGE_QUEUE_URL": url, "FANFORGE_QUEUE_NAME": name}
    if redis:
        from community.kernel import jobs

        jobs.queue(app)[0].storage.flush_all()


class Workers:
    def __init__(self, app, queue, smtp, tmp_path):
        self.env = dict(os.environ, **queue)
        self.env.update({
            "FANFORGE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "FANFORGE_SECRET_KEY": app.config["SECRET_KEY"],
            "FANFORGE_SITE_URL": app.config["SITE_URL"],
            "FANFORGE_MAIL_BACKEND": "smtp", "FANFORGE_MAIL_SERVER": "127.0.0.1",
            "FANFORGE_MAIL_PORT": str(smtp.port), "FANFORGE_MAIL_USE_TLS": "false",
            # A killed worker's claim frees up in seconds, and retries come quickly.
            "FANFORGE_MAIL_CLAIM_SECONDS": "3", "FANFORGE_MAIL_RETRY_DELAYS": "[1, 2, 2, 5, 5, 10]",
        })
        self.tmp_path = tmp_path
        self.processes = []

    def start(self):
        """`flask worker`, forked warm (tests/zygote.py) as `python -m flask` would run it."""
        process = Zygote.spawn(["--app", "app", "worker", "--threads", str(THREADS)], self.env,
                               ROOT, self.tmp_path / f"worker-{len(self.processes)}.log",
                               program="flask")
        self.processes.append(process)
        return process

    def kill(self, process):
        process.kill()
        process.wait()

    def logs(self):
        return "\n".join((self.tmp_path / f"worker-{i}.log").read_text(errors="replace")[-2000:]
                         for i in range(len(self.processes)))

    def stop_all(self):
        for process in self.processes:
            self.kill(process)


@pytest.fixture
def workers(app, queue, smtp_server, tmp_path):
    group = Workers(app, queue, smtp_server, tmp_path)
    yield group
    group.stop_all()


def statuses(app):
    with app.app_context():
        return dict(db.session.execute(
            select(MailOutbox.status, func.count()).group_by(MailOutbox.status)).all())


def test_mail_written_while_the_server_is_down_arrives_once_it_is_back(app, smtp_server, workers):
    smtp_server.stop()
    workers.start()
    with app.app_context():
        for _ in range(10):
            make_user(verified=False)  # each commits a confirmation mail and kicks the queue
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the worker tried every one and was refused
        with app.app_context():
            tried = db.session.scalar(select(func.count()).select_from(MailOutbox)
                                      .where(MailOutbox.attempts >= 1))
        if tried == 10:
            break
        time.sleep(0.2)
    assert tried == 10, workers.logs()
    assert statuses(app) == {"queued": 10}
    smtp_server.start()
    assert smtp_server.wait_for(10, timeout=60), workers.logs()
    time.sleep(2)  # room for a duplicate to show up
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == len(set(ids)) == 10
    assert statuses(app) == {"sent": 10}


def test_a_worker_killed_mid_batch_loses_no_mail(app, queue, workers, tmp_path):
    server = SmtpServer(delay=0.01).start()  # slow enough to catch the worker mid-batch
    workers.env["FANFORGE_MAIL_PORT"] = str(server.port)
    try:
        with app.app_context():
            fan = make_user("many", email="many@example.com")
            with transaction():
                for _ in range(200):
                    mail.queue("reset_password", to=fan.email)
        started = time.monotonic()
        first = workers.start()
        assert server.wait_for(50, timeout=60), workers.logs()
        workers.kill(first)
        time.sleep(0.3)  # a DATA the dead worker had begun may still land
        before_kill = Counter(m["Message-ID"] for m in server.messages)
        assert len(before_kill) < 200, "the worker finished before it could be killed"
        workers.start()
        deadline = time.monotonic() + 90
        while len({m["Message-ID"] for m in server.messages}) < 200 \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        received = Counter(m["Message-ID"] for m in server.messages)
        assert len(received) == 200, workers.logs()
        time.sleep(1)
        received = Counter(m["Message-ID"] for m in server.messages)
        twice = {mid for mid, n in received.items() if n > 1}
        # A duplicate is a mail the server accepted before the kill that the dead worker
        # could not mark: at most one per sending thread.
        assert twice <= set(before_kill) and len(twice) <= THREADS, (twice, workers.logs())
        assert max(received.values()) <= 2
        assert statuses(app) == {"sent": 200}
        print(f"\n200 mails with a kill at {len(before_kill)}: {elapsed:.1f} s, "
              f"{len(twice)} duplicate(s)")
    finally:
        server.stop()


def test_mail_claimed_by_a_killed_worker_goes_out_seconds_after_its_claim_lapses(
        app, queue, workers):
    """A worker dies holding a claim and another starts (systemd's restart): each claimed
    mail arrives within its claim + 10 s, not at the next minute's sweep, and once (a mail
    in flight at the kill may arrive again, with the same Message-ID)."""
    claim = 5
    workers.env["FANFORGE_MAIL_CLAIM_SECONDS"] = str(claim)
    server = SmtpServer(delay=1.0).start()  # slow: the first worker dies holding its claim
    workers.env["FANFORGE_MAIL_PORT"] = str(server.port)
    try:
        with app.app_context():
            fan = make_user("claimed", email="claimed@example.com")
            with transaction():
                for _ in range(12):
                    mail.queue("reset_password", to=fan.email)
        first = workers.start()
        assert server.wait_for(1, timeout=60), workers.logs()
        workers.kill(first)
        server.delay = 0
        with app.app_context():
            lapses = dict(db.session.execute(
                select(MailOutbox.id, MailOutbox.claimed_until)
                .where(MailOutbox.status == "queued", MailOutbox.claimed_until.is_not(None))).all())
        assert lapses, "the worker held no claim when it was killed"
        workers.start()
        arrived = {}  # row id -> when its mail first arrived (naive UTC, as claimed_until)
        deadline = time.monotonic() + claim + 30
        while len(arrived) < 12 and time.monotonic() < deadline:
            for message in list(server.messages):
                arrived.setdefault(int(message["Message-ID"].split(".")[1]), utcnow())
            time.sleep(0.05)
        assert len(arrived) == 12, workers.logs()
        late = {row: (arrived[row] - lapse).total_seconds() for row, lapse in lapses.items()
                if arrived[row] > lapse + timedelta(seconds=10)}
        assert not late, f"seconds after the claim lapsed: {late}\n{workers.logs()}"
        time.sleep(1)
        received = Counter(m["Message-ID"] for m in server.messages)
        assert len(received) == 12 and max(received.values()) <= 2
        assert sum(n > 1 for n in received.values()) <= THREADS  # only mail in flight
        assert statuses(app) == {"sent": 12}
        print(f"\nclaimed mail out {max((arrived[r] - lapses[r]).total_seconds() for r in lapses):.1f}"
              " s after its claim lapsed at worst")
    finally:
        server.stop()
