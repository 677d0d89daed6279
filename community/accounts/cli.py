"""`flask --app app users ...`: create accounts and change roles from a shell."""

import click
from flask.cli import AppGroup

from ..kernel.errors import DomainError
from . import roles, service, tokens, twofactor, verification
from .models import ROLES

users = AppGroup("users", help="Create users and change their roles.")


@users.command("create")
@click.argument("name")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when left out.")
@click.option("--role", type=click.Choice(ROLES), default="fan", show_default=True)
@click.option("--verified/--unverified", default=True, show_default=True,
              help="Whether the address counts as confirmed; --unverified mails a link.")
def create(name, email, password, role, verified):
    """Create a user NAME."""
    try:
        user = service.register(name, email, password, role=role, verified=verified)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created {user.role} {user.username} <{user.email}>.")


@users.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
def set_role(name, role):
    """Give user NAME the role ROLE (fan, staff or admin): their sessions end and their
    API tokens are revoked; staff set up two-factor sign-in as they sign in again."""
    try:
        user = roles.set_role(name, role)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"{user.username} is now {user.role}.")


@users.command("reset-two-factor")
@click.argument("name")
def reset_two_factor(name):
    """Turn user NAME's two-factor sign-in off (a lost phone and lost recovery codes):
    their sessions end; staff set it up again as they sign in."""
    try:
        user = service.get_by_username(name)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    twofactor.reset(user)
    click.echo(f"Two-factor sign-in is off for {user.username}.")


@users.command("purge-expired")
def purge_expired():
    """Forget expired address changes and API tokens revoked long ago (the worker does it hourly)."""
    pending = verification.expire_pending()
    revoked = tokens.purge_revoked()
    click.echo(f"Forgot {pending} expired address change(s) and {revoked} old revoked token(s).")
