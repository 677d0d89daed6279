"""Real `flask worker` processes against a real SMTP server, on the embedded (SQLite)
queue and on Redis: mail written while the server is down arrives once it is back, and
a worker killed in the middle of 200 mails loses none (a duplicate is only a mail that
was in flight at the kill, told apart by its Message-ID)."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from helpers import SmtpServer, make_user
from sqlalchemy import func, select

from community import mail
from community.database import transaction
from community.extensions import db
from community.mail.models import MailOutbox

pytestmark = pytest.mark.concurrency
ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)
THREADS = 2


def _redis_up():
    with contextlib.suppress(OSError), socket.create_connection(REDIS, timeout=1):
        return True
    return False


@pytest.fixture(params=["embedded", "redis"])
def queue(request, app, tmp_path):
    """Point the test's app at a queue of its own; returns its FANFORGE_QUEUE_* settings."""
    name = f"fanforge-test-{uuid.uuid4().hex[:10]}"
    if request.param == "redis":
        if not _redis_up():
            if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
                pytest.fail("Redis is not answering on 127.0.0.1:6379")
            pytest.skip("Redis is not answering on 127.0.0.1:6379")
        url = f"redis://{REDIS[0]}:{REDIS[1]}/0"
    else:
        url = f"sqlite:///{tmp_path}/queue.sqlite3"
    app.config.update(QUEUE_URL=url, QUEUE_NAME=name)
    yield {"FANFORGE_QUEUE_URL": url, "FANFORGE_QUEUE_NAME": name}
    if request.param == "redis":
        from community import jobs

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
        log = open(self.tmp_path / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "worker", "--threads", str(THREADS)],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append((process, log))
        return process

    def kill(self, process):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def logs(self):
        return "\n".join((self.tmp_path / f"worker-{i}.log").read_text(errors="replace")[-2000:]
                         for i in range(len(self.processes)))

    def stop_all(self):
        for process, log in self.processes:
            self.kill(process)
            log.close()


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
