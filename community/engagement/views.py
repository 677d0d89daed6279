"""Check-in, leaderboards, staff medal awards, and the engagement CLI."""

import click
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..accounts import service as accounts
from ..forum import boards
from ..kernel.database import transaction
from ..kernel.errors import DomainError
from ..web.http import form_text, redirect_next, text_arg
from ..web.pagecache import public_page
from ..web.roles import staff_required
from . import checkin, leaderboards, ledger, medals

bp = Blueprint("engagement", __name__)
cli = AppGroup("engagement", help="Points, levels and medals.")


@bp.post("/checkin")
@login_required
def check_in():
    new, streak = checkin.check_in(current_user)
    if request.accept_mimetypes.best == "application/json":
        return {"checked_in": True, "new": new, "streak": streak,
                "points": accounts.get_by_username(current_user.username).points}
    if new:
        flash(ngettext("Checked in: %(num)d day in a row!", "Checked in: %(num)d days in a row!", streak),
              "success")
    else:
        flash(_("You have checked in today already."), "info")
    return redirect_next()


@bp.get("/leaderboards")
@public_page(members=True)
def leaderboard():
    period = text_arg("period", "week")
    if period not in leaderboards.PERIODS:
        abort(400, description=_("Pick this week or this month."))
    slug = text_arg("board")
    board = boards.get_board(slug) if slug else None
    if board is not None and not board.listed:  # circles' board: their members are private
        abort(404)
    return render_template("community/engagement/leaderboards.html", period=period, board=board,
                           boards=boards.list_boards(),
                           rows=leaderboards.top(period, board.id if board else None))


@bp.post("/u/<username>/medals")
@staff_required
def award(username):
    user = accounts.get_by_username(username)
    try:
        if medals.award_by_staff(user, current_user, form_text("medal"),
                                 form_text("reason")):
            flash(_("Medal awarded."), "success")
        else:
            flash(_("They have that medal already."), "info")
    except DomainError as error:
        flash(error.message, "error")
    return redirect(url_for("accounts.profile", username=user.username))


@cli.command("recompute")
def recompute_command():
    """Rebuild points, levels and medals from the activity rows; prints what changed."""
    with transaction():
        changes = ledger.recompute()
        changes["medals"] = medals.recompute()
    if not any(changes.values()):
        click.echo("Nothing to change: points, levels and medals are consistent.")
    else:
        click.echo(f"Fixed {changes['entries']} ledger rows, {changes['users']} users' points, "
                   f"{changes['medals']} medals.")
