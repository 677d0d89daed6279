"""Round pages: the list by state, a round with its standings, and staff tools."""

import click
from flask import Blueprint, redirect, render_template, request, url_for
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_login import current_user

from ..forum import boards as board_service
from ..kernel.clock import local_to_utc
from ..kernel.errors import DomainError
from ..web.http import apply_error, flash_outcome
from ..web.pagecache import public_page
from ..web.roles import staff_required
from . import service
from .forms import AcceptForm, RoundForm, SummaryForm

bp = Blueprint("rounds", __name__)
cli = AppGroup("rounds", help="Feedback rounds.")


@bp.get("/rounds")
@public_page(members=True)
def index():
    return render_template("community/rounds/index.html", groups=service.rounds_by_state())


@bp.get("/rounds/<int:round_id>")
@public_page
def show(round_id):
    round_ = service.refresh(service.get_round(round_id))
    return render_template(
        "community/rounds/show.html", round=round_, state=round_.state(),
        standings=service.standings(round_),
        budget_left=service.budget_left(round_, current_user),
        summary_form=SummaryForm(summary=round_.summary), accept_form=AcceptForm(),
    )


@bp.get("/rounds/new")
@staff_required
def choose_board():
    """"New round" from /rounds and the Manage menu: a round belongs to a board, so
    staff pick the board first."""
    return render_template("community/rounds/choose_board.html",
                           boards=board_service.list_boards())


@bp.route("/b/<slug>/rounds/new", methods=["GET", "POST"])
@staff_required
def new(slug):
    board = board_service.get_board(slug)
    form = RoundForm()
    if form.validate_on_submit():
        try:
            round_ = service.create_round(
                board, current_user, form.title.data, form.brief.data,
                local_to_utc(form.starts_at.data), local_to_utc(form.ends_at.data),
                form.vote_budget.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            return redirect(url_for("rounds.show", round_id=round_.id))
    status = 422 if request.method == "POST" else 200
    return render_template("community/rounds/new.html", board=board, form=form), status


@bp.post("/rounds/<int:round_id>/summary")
@staff_required
def summary(round_id):
    form = SummaryForm()
    if form.validate_on_submit():
        flash_outcome(lambda: service.write_summary(round_id, current_user, form.summary.data),
                      _("Summary saved."))
    return redirect(url_for("rounds.show", round_id=round_id))


@bp.post("/rounds/<int:round_id>/accept")
@staff_required
def accept(round_id):
    form = AcceptForm()
    if form.validate_on_submit():
        flash_outcome(
            lambda: service.accept_ideas(round_id, current_user, form.ideas.data, form.response.data),
            lambda accepted: _("%(n)d ideas moved to planned.", n=len(accepted)))
    return redirect(url_for("rounds.show", round_id=round_id))


@cli.command("close-due")
def close_due_command():
    """Open rounds whose start has come and freeze those whose end has passed (for cron)."""
    opened, closed = service.close_due()
    click.echo(f"Opened {opened} round(s), closed {closed} round(s).")
