"""Staff pages: moderation actions, the moderation log, and board administration."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..kernel.errors import DomainError
from ..web.http import apply_error, form_text, page_arg, redirect_next
from ..web.roles import admin_required, staff_required
from . import boards as board_service
from . import moderation, service
from .forms import BoardForm, ReasonForm

bp = Blueprint("staff", __name__)

THREAD_ACTIONS = {
    "pin": (moderation.set_pinned, True), "unpin": (moderation.set_pinned, False),
    "lock": (moderation.set_locked, True), "unlock": (moderation.set_locked, False),
    "hide": (moderation.set_thread_hidden, True), "unhide": (moderation.set_thread_hidden, False),
}


def _back(fallback_url):
    return redirect_next(fallback_url)


@bp.post("/mod/threads/<int:thread_id>/<action>")
@staff_required
def thread_action(thread_id, action):
    if action not in THREAD_ACTIONS:
        abort(404)
    form = ReasonForm()
    if not form.validate():
        abort(400)
    thread = service.get_thread(thread_id, current_user)
    change, value = THREAD_ACTIONS[action]
    change(thread, current_user, value, form.reason.data)
    flash(_("Done: %(action)s.", action=action), "success")
    return _back(url_for("forum.thread", thread_id=thread.id))


@bp.post("/mod/posts/<int:post_id>/<action>")
@staff_required
def post_action(post_id, action):
    if action not in ("hide", "unhide"):
        abort(404)
    form = ReasonForm()
    if not form.validate():
        abort(400)
    post = service.get_post(post_id, current_user)
    moderation.set_post_hidden(post, current_user, action == "hide", form.reason.data)
    flash(_("Done: %(action)s.", action=action), "success")
    return _back(url_for("forum.post", post_id=post.id))


@bp.get("/mod/log")
@staff_required
def log():
    page = moderation.actions(page_arg(), 50)
    return render_template("community/forum/moderation_log.html", page=page,
                           user_names=moderation.user_names(page.items))


@bp.route("/admin/boards", methods=["GET", "POST"])
@admin_required
def boards():
    form = BoardForm()
    if form.validate_on_submit():
        try:
            board_service.create_board(form.name.data, form.slug.data, form.description.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            flash(_("Board created."), "success")
            return redirect(url_for("staff.boards"))
    status = 422 if form.errors else 200
    return render_template("community/forum/admin_boards.html", form=form,
                           boards=board_service.list_boards()), status


@bp.route("/admin/boards/<slug>/edit", methods=["GET", "POST"])
@admin_required
def edit_board(slug):
    board = board_service.get_board(slug)
    form = BoardForm(obj=board)
    if form.validate_on_submit():
        try:
            board_service.update_board(board, form.name.data, form.slug.data, form.description.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            flash(_("Board saved."), "success")
            return redirect(url_for("staff.boards"))
    status = 422 if form.errors else 200
    return render_template("community/forum/edit_board.html", form=form, board=board), status


@bp.post("/admin/boards/<slug>/move")
@admin_required
def move_board(slug):
    board = board_service.get_board(slug)
    board_service.move_board(board, -1 if form_text("direction", None) == "up" else 1)
    return redirect(url_for("staff.boards"))
