"""`flask search drain` and `flask search rebuild`."""

import time

import click
from flask.cli import AppGroup

from . import drain as drain_outbox
from .analyzer import warm_up
from .reindex import count_all, rebuild

cli = AppGroup("search", help="The search index: drain the outbox, rebuild from the database.")


@cli.command("drain")
@click.option("--batch", default=200, show_default=True, help="Outbox rows per index commit.")
@click.option("--wait", default=10.0, show_default=True,
              help="Seconds to wait for another process's drain to finish.")
def drain_command(batch, wait):
    """Apply the outbox to the index."""
    started = time.monotonic()
    applied = drain_outbox(batch=batch, wait=wait)
    click.echo(f"Applied {applied} outbox rows in {time.monotonic() - started:.1f} s.")


@cli.command("rebuild")
@click.option("--batch", default=500, show_default=True, help="Rows read per query.")
@click.option("--procs", default=1, show_default=True, help="Indexing processes.")
def rebuild_command(batch, procs):
    """Index every searchable row again, then drain what changed meanwhile."""
    warm_up()
    total = count_all()
    started = time.monotonic()
    with click.progressbar(length=total, label="Indexing", show_pos=True) as bar:
        indexed = rebuild(progress=bar.update, batch=batch, procs=procs)
    seconds = time.monotonic() - started
    click.echo(f"Indexed {indexed} documents ({total} rows read) in {seconds:.1f} s "
               f"= {indexed / max(seconds, 1e-9):.0f} docs/s.")
    applied = drain_outbox(wait=10.0)
    click.echo(f"Applied {applied} outbox rows written meanwhile.")
