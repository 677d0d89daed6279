"""`flask --app app mail ...`: the outbox by hand (cron, tests, an operator)."""

from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from ..kernel.database import transaction, utcnow
from . import notify, outbox, sender

cli = AppGroup("mail", help="The mail outbox: send, digests, retry, status.")


@cli.command("send")
def send_command():
    """Send every due mail now."""
    totals = sender.send_due()
    click.echo(", ".join(f"{n} {state}" for state, n in sorted(totals.items())) or "Nothing due.")


@cli.command("digests")
@click.option("--day", help="YYYY-MM-DD in the community's time zone (default: the due day).")
def digests_command(day):
    """Queue the daily digests of a day (each user gets one per day, however often this runs)."""
    day = date.fromisoformat(day) if day else notify.due_digest_day(
        utcnow(), current_app.config["MAIL_DIGEST_HOUR"])
    if day is None:
        raise click.ClickException("No digest is due before the digest hour; pass --day.")
    with transaction():
        queued = notify.queue_digests(day)
    click.echo(f"Queued {queued} digest(s) for {day}.")


@cli.command("retry")
@click.argument("ids", nargs=-1, type=int)
def retry_command(ids):
    """Queue failed mail again: the IDS given, or all failed mail."""
    click.echo(f"{outbox.retry(list(ids) or None)} mail(s) queued again.")


@cli.command("status")
def status_command():
    """Counts of queued, failed, sent and skipped mail."""
    click.echo(", ".join(f"{n} {state}" for state, n in outbox.counts().items()))
