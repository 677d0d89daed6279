"""Sending due mail: claim a batch, render each row, send over one connection, mark it.

Each row is marked in its own small transaction right after the server accepted it,
so a worker killed mid-batch leaves at most the mail in flight unmarked (sent again,
with the same Message-ID); the rest of its claim expires and another worker sends it.
"""

import contextlib
import smtplib
import time
from collections import Counter

from flask import current_app
from flask_mailman import Mail

from ..kernel import jobs
from ..kernel.extensions import db
from . import outbox, render
from .models import MailOutbox

mail = Mail()
DEV_BACKEND = "community.mail.devbox"


def backend_and_options():
    """The Flask-Mailman backend and its options, read from config at each send so a
    test (or an operator) can point the app at another server."""
    cfg = current_app.config
    backend = cfg["MAIL_BACKEND"] or ("smtp" if cfg["MAIL_SERVER"] else None)
    if backend is None:
        if cfg["ENV"] == "production":
            raise RuntimeError("FANFORGE_MAIL_SERVER is not set: no mail can be sent")
        backend = DEV_BACKEND  # .eml files in instance/mail, subject and link on the console
    if backend != "smtp":
        return backend, {}
    return backend, {"host": cfg["MAIL_SERVER"], "port": cfg["MAIL_PORT"],
                     "username": cfg["MAIL_USERNAME"], "password": cfg["MAIL_PASSWORD"],
                     "use_tls": cfg["MAIL_USE_TLS"], "use_ssl": cfg["MAIL_USE_SSL"],
                     "timeout": cfg["MAIL_TIMEOUT"]}


def open_connection():
    backend, options = backend_and_options()
    connection = mail.get_connection(backend=backend, **options)
    connection.open()
    return connection


def send_due(time_budget=None, now=None):
    """Send every due mail (until `time_budget` seconds are spent); returns a Counter of
    sent / failed / retry / skipped. Safe to run in several workers at once."""
    cfg = current_app.config
    worker = outbox.worker_name()
    deadline = None if time_budget is None else time.monotonic() + time_budget
    totals = Counter()
    while ids := outbox.claim(worker, cfg["MAIL_BATCH"], cfg["MAIL_CLAIM_SECONDS"], now):
        _send_batch(ids, worker, totals, now)
        if deadline is not None and time.monotonic() > deadline:
            jobs.kick(outbox.SEND_TASK)  # the rest in a fresh run
            break
    _schedule_retry()
    return totals


def _send_batch(ids, worker, totals, now):
    connection = None
    try:
        for row_id in ids:
            db.session.rollback()  # a fresh snapshot for each row
            row = db.session.get(MailOutbox, row_id)
            try:
                message = render.build_message(row)
                if message is None:
                    outbox.mark_skipped(row_id, worker, "not wanted any more")
                    totals["skipped"] += 1
                    continue
                if connection is None:
                    connection = open_connection()
                connection.send_messages([message])
            except Exception as error:
                if connection is not None:
                    _close(connection)
                    connection = None
                current_app.logger.warning("mail %s: %s", row_id, error)
                state = outbox.record_failure(row_id, worker, _describe(error),
                                              _permanent(error), now)
                totals["failed" if state == "failed" else "retry"] += 1
                continue
            outbox.mark_sent(row_id, worker, now)
            totals["sent"] += 1
    finally:
        if connection is not None:
            _close(connection)


def _close(connection):
    with contextlib.suppress(Exception):  # the server went away; nothing to tidy
        connection.close()


def _describe(error):
    return f"{type(error).__name__}: {error}"


def _permanent(error):
    """A recipient the server refuses for good (5xx) will not start working in an hour."""
    return isinstance(error, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _msg in error.recipients.values())


def _schedule_retry():
    """Wake a worker when the next retry or expired claim is due (jobs.wake: never early,
    one pending per process). The minute sweep would find it too; this keeps short delays
    short, so a dead worker's mail goes out seconds after its claim lapses."""
    due = outbox.next_due()
    db.session.rollback()
    if due is not None:
        jobs.wake(outbox.SEND_TASK, due)
