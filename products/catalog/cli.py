"""`flask --app app products ...`: catalog chores from the shell."""

import click
from flask.cli import AppGroup

from . import views_counter

cli = AppGroup("products", help="The product catalog.")


@cli.command("flush-views")
def flush_views():
    """Write this process's buffered product page views to the database now."""
    written = views_counter.flush()
    click.echo(f"{written} product views written.")
