"""The staff's approval queue and watched words, and an author's posts that wait."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..kernel.errors import DomainError
from ..web.http import apply_error, form_numbers, form_text, page_arg
from ..web.markdown import render
from ..web.roles import staff_required
from . import queue, service
from .forms import WatchedWordForm

bp = Blueprint("gatekeeping", __name__)


def init_app(app):
    app.register_blueprint(bp)
    app.add_template_filter(render, "held_markdown")
    app.add_template_global(queue.place_link, "held_place")


@bp.get("/mod/queue")
@staff_required
def queue_page():
    return render_template("community/gatekeeping/queue.html", page=queue.pending_page(page_arg()))


@bp.post("/mod/queue")
@staff_required
def decide():
    decision = form_text("decision")
    if decision not in ("approve", "reject"):
        flash(_("Choose approve or reject."), "error")
        return redirect(url_for("gatekeeping.queue_page"))
    ids = form_numbers("ids", queue.MAX_BATCH)  # anything but ids from the list: a 400
    try:
        outcome = queue.decide(ids, current_user, decision == "approve", form_text("note"))
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("gatekeeping.queue_page"))
    if outcome.done:
        flash(_("Approved: %(n)d.", n=len(outcome.done)) if decision == "approve"
              else _("Rejected: %(n)d.", n=len(outcome.done)), "success")
    if outcome.skipped:
        flash(_("Already decided by someone else: %(n)d.", n=len(outcome.skipped)), "info")
    for held_id, message in outcome.failed:
        flash(_("Post #%(id)d could not be published: %(why)s", id=held_id, why=message), "error")
    return redirect(url_for("gatekeeping.queue_page"))


@bp.route("/mod/watched-words", methods=["GET", "POST"])
@staff_required
def watched_words():
    form = WatchedWordForm()
    status = 200
    if form.validate_on_submit():
        try:
            service.add_word(current_user, form.pattern.data, form.is_regex.data,
                             form.action.data, form.replacement.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            flash(_("Watched word added."), "success")
            return redirect(url_for("gatekeeping.watched_words"))
    if request.method == "POST":
        status = 422
    return render_template("community/gatekeeping/words.html", form=form,
                           words=service.all_words(), action_names=service.ACTION_NAMES), status


@bp.post("/mod/watched-words/<int:word_id>/delete")
@staff_required
def remove_word(word_id):
    service.remove_word(current_user, word_id)
    flash(_("Watched word removed."), "success")
    return redirect(url_for("gatekeeping.watched_words"))


@bp.get("/me/waiting")
@login_required
def mine():
    return render_template("community/gatekeeping/mine.html",
                           held=queue.authors_posts(current_user))
