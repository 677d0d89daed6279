"""The mail package's jobs: send on demand and every minute, queue digests, purge."""

from flask import current_app

from ..kernel import jobs
from ..kernel.database import transaction, utcnow
from . import broadcast, notify, outbox, sender

# A run stops after this many seconds and hands the rest to a fresh run, so one task
# never holds a worker thread for long.
SEND_BUDGET = 50


@jobs.task(outbox.SEND_TASK, on_start=True)
def send():
    return _summary(sender.send_due(time_budget=SEND_BUDGET))


@jobs.periodic("mail.sweep", minute="*")
def sweep():
    """Retries fall due and claims of dead workers expire with no one to kick a worker."""
    return _summary(sender.send_due(time_budget=SEND_BUDGET))


@jobs.task(broadcast.TASK, on_start=True)
@jobs.periodic("notices.broadcast_sweep", minute="*")
def broadcast_notices():
    """Notices to many, a batch at a time (a dead worker's batch is taken again)."""
    return f"{broadcast.run_due(time_budget=SEND_BUDGET)} batch(es)"


@jobs.periodic("mail.digests", minute="5")
def digests():
    """Hourly: from the digest hour on, queue yesterday's digests (a no-op once done)."""
    day = notify.due_digest_day(utcnow(), current_app.config["MAIL_DIGEST_HOUR"])
    if day is None:
        return "not yet"
    with transaction():
        queued = notify.queue_digests(day)
    return f"{queued} digest(s) for {day}"


@jobs.periodic("mail.purge", minute="40", hour="3")
def purge():
    return f"{outbox.purge(current_app.config['MAIL_KEEP_DAYS'])} old row(s)"


def _summary(totals):
    return ", ".join(f"{n} {state}" for state, n in sorted(totals.items())) or "nothing due"
