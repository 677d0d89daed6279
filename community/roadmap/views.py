"""The roadmap page, the release notes (the changelog) and staff's form to write one."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..forum import boards as board_service
from ..kernel.errors import DomainError, NotFound
from ..web.http import apply_error, int_arg, page_arg, text_arg
from ..web.pagecache import public_page
from ..web.roles import staff_required
from . import board, notes
from .forms import ReleaseNoteForm
from .labels import COLUMN_NAMES

bp = Blueprint("roadmap", __name__)


def listed_board(slug):
    """The board named by ?board=, or None; a board the roadmap does not show is a 404."""
    if not slug:
        return None
    found = board_service.board_for_page(slug)
    if not found.listed:
        raise NotFound(_("No such board."))
    return found


@bp.get("/roadmap")
@public_page(members=True)
def index():
    chosen = listed_board(text_arg("board", None))
    return render_template("community/roadmap/index.html", board=chosen,
                           boards=board_service.list_boards(),
                           columns=board.columns(chosen.id if chosen else None),
                           COLUMN_NAMES=COLUMN_NAMES)


@bp.get("/releases")
@public_page(members=True)
def releases():
    return render_template("community/roadmap/releases.html",
                           page=notes.list_notes(page_arg(), current_app.config["PER_PAGE"]))


@bp.get("/releases/<int:note_id>")
@public_page(members=True)
def release(note_id):
    return render_template("community/roadmap/release.html", note=notes.get_note(note_id))


@bp.route("/releases/new", methods=["GET", "POST"])
@staff_required
def new_release():
    form = ReleaseNoteForm()
    if request.method == "GET" and "idea" in request.args:
        form.ideas.data = str(int_arg("idea", minimum=1))
    if form.validate_on_submit():
        try:
            note = notes.publish(current_user, form.title.data, form.body.data,
                                 notes.parse_idea_ids(form.ideas.data))
        except DomainError as error:
            apply_error(form, error)
        else:
            return redirect(url_for("roadmap.release", note_id=note.id))
    status = 422 if request.method == "POST" else 200
    return render_template("community/roadmap/new_release.html", form=form), status
