"""Idea pages: lists, proposing, the idea with its votes, timeline and discussion."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import search
from ..forum import boards as board_service
from ..forum import service as forum
from ..forum.forms import ReplyForm
from ..kernel.errors import DomainError, HeldForApproval
from ..rounds import service as rounds
from ..web import ratelimits
from ..web.forms import choices
from ..web.http import (
    apply_error,
    form_text,
    int_arg,
    page_arg,
    redirect_next,
    text_arg,
    to_waiting,
)
from ..web.pagecache import public_page
from ..web.roles import staff_required
from . import lists, picker, service, statuses
from .forms import IdeaForm, MergeForm, StatusForm, TagsForm
from .labels import PERIOD_NAMES, SORT_NAMES, STATUS_NAMES

bp = Blueprint("ideas", __name__)


def _list_args(board=None):
    sort = text_arg("sort", "hot")
    status = text_arg("status", None) or None
    period = text_arg("period", "all")
    if sort not in lists.SORTS or period not in lists.PERIODS or (status and status not in STATUS_NAMES):
        abort(400, description=_("Unknown sort, period or status."))
    tag = text_arg("tag", None) or None
    tag_ids = lists.find_tag_ids(board.id if board else None, tag) if tag else None
    return {"sort": sort, "status": status, "period": period, "tag": tag, "tag_ids": tag_ids}


def _render_list(board=None):
    args = _list_args(board)
    page = lists.list_ideas(args["sort"], board.id if board else None, args["status"],
                            args["tag_ids"], args["period"], page_arg(),
                            current_app.config["PER_PAGE"], include_hidden=_staff())
    return render_template(
        "community/ideas/list.html", board=board, page=page, args=args,
        tags=lists.tag_names(board.id) if board else [],
        counts=lists.counts_by_status(board.id if board else None),
        live_rounds=rounds.live_round_links(board.id if board else None),
        SORT_NAMES=SORT_NAMES, PERIOD_NAMES=PERIOD_NAMES, STATUS_NAMES=STATUS_NAMES,
    )


def _staff():
    return current_user.is_authenticated and current_user.is_staff


@bp.get("/ideas")
@public_page(members=True)
def index():
    return _render_list()


@bp.get("/b/<slug>/ideas")
@public_page(members=True)
def board_ideas(slug):
    return _render_list(board_service.board_for_page(slug))


@bp.get("/ideas/shipped")
@public_page(members=True)
def shipped():
    return render_template("community/ideas/shipped.html",
                           page=lists.shipped(page_arg(), current_app.config["PER_PAGE"]))


@bp.route("/b/<slug>/ideas/new", methods=["GET", "POST"])
@login_required
@ratelimits.posting
def new(slug):
    board = board_service.get_board(slug)
    form = IdeaForm()
    form.tags.choices = choices((t.name, t.name) for t in service.board_tags(board.id))
    live = rounds.live_rounds(board.id)
    form.round_id.choices = choices([(0, _("No round"))] + [(r.id, r.title) for r in live])
    if request.method == "GET" and "round" in request.args:
        form.round_id.data = int_arg("round", minimum=0)
    similar = []
    if form.validate_on_submit():
        # A first submit whose title closely matches existing ideas comes back with them
        # and a "post anyway" box (site.js shows the list while typing, and sets it).
        if not form_text("post_anyway", None):
            similar = [i for i in search.similar_ideas(form.title.data, board.id) if i.strong]
        if not similar:
            try:
                idea = service.propose(board, current_user, form.title.data, form.body.data,
                                       form.tags.data, form.round_id.data or None,
                                       form.submit_token.data)
            except HeldForApproval as held:
                return to_waiting(held)
            except DomainError as error:
                apply_error(form, error)
            else:
                return redirect(url_for("ideas.show", idea_id=idea.id))
    status = 422 if request.method == "POST" and not similar else 200
    return render_template("community/ideas/new.html", board=board, form=form,
                           similar=similar), status


@bp.get("/ideas/<int:idea_id>")
@public_page(members=True)
def show(idea_id):
    idea = lists.idea_page(idea_id, current_user)
    page = forum.thread_posts(idea.thread, page_arg(), current_app.config["PER_PAGE"])
    if page.page > 1 and not page.items:
        abort(404)
    changes = statuses.timeline(idea)
    round_ = rounds.get_round(idea.round_id) if idea.round_id else None
    staff = _staff()  # the status and merge forms show to staff only
    # The first page of posts starts with the opening one.
    opening = (page.items[0] if page.items and page.items[0].position == 0
               else forum.opening_post(idea.thread))
    return render_template(
        "community/ideas/show.html", idea=idea, page=page, changes=changes, opening=opening,
        official=statuses.official_response(changes),
        voters=service.voters(idea, limit=20),
        merged_into=service.get_idea(idea.merged_into_id, current_user) if idea.merged_into_id else None,
        round=round_,
        form=ReplyForm() if current_user.is_authenticated else None,
        status_form=StatusForm(status=idea.status) if staff else None,
        merge_form=MergeForm() if staff else None,
        STATUS_NAMES=STATUS_NAMES,
    )


@bp.post("/ideas/<int:idea_id>/vote")
@login_required
def vote(idea_id):
    wants = form_text("vote", "1") == "1"
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        votes = (service.vote if wants else service.unvote)(idea_id, current_user)
    except DomainError as error:
        if wants_json:
            return {"error": {"code": error.code, "message": error.message}}, error.status
        flash(error.message, "error")
        return redirect(url_for("ideas.show", idea_id=idea_id))
    if wants_json:
        return {"voted": wants, "votes": votes}
    return redirect_next("ideas.show", idea_id=idea_id)


@bp.get("/ideas/<int:idea_id>/voters")
@public_page(members=True)
def voters(idea_id):
    idea = lists.idea_page(idea_id, current_user)
    number, per_page = page_arg(), 50
    rows = service.voters(idea, limit=per_page + 1, offset=(number - 1) * per_page)
    return render_template("community/ideas/voters.html", idea=idea, voters=rows[:per_page],
                           number=number, has_next=len(rows) > per_page)


@bp.post("/ideas/<int:idea_id>/status")
@staff_required
def change_status(idea_id):
    form = StatusForm()
    if form.validate_on_submit():
        try:
            statuses.change_status(idea_id, current_user, form.status.data, form.response.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Status updated."), "success")
    else:
        flash(_("Write the official response that goes with the change."), "error")
    return redirect(url_for("ideas.show", idea_id=idea_id))


@bp.post("/ideas/<int:idea_id>/merge")
@staff_required
def merge(idea_id):
    form = MergeForm()
    if form.validate_on_submit():
        try:
            target = statuses.merge(idea_id, form.target.data, current_user, form.response.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Merged."), "success")
            return redirect(url_for("ideas.show", idea_id=target.id))
    else:
        flash(_("Give the number of the idea to merge into."), "error")
    return redirect(url_for("ideas.show", idea_id=idea_id))


@bp.get("/staff/ideas/pick")
@staff_required
def pick():
    """The idea picker's answers (static/js/staff.js): ideas by number or title, as JSON."""
    return jsonify(items=[
        {"id": idea.id, "title": title, "status": idea.status,
         "status_label": str(STATUS_NAMES[idea.status]), "board": idea.board.name,
         "votes": idea.votes}
        for idea, title in picker.find(text_arg("q")[:200])])


@bp.route("/b/<slug>/tags", methods=["GET", "POST"])
@staff_required
def tags(slug):
    board = board_service.get_board(slug)
    form = TagsForm()
    if form.validate_on_submit():
        try:
            service.set_board_tags(board, (form.tags.data or "").split(","))
        except DomainError as error:
            apply_error(form, error)
        else:
            flash(_("Tags saved."), "success")
            return redirect(url_for("ideas.board_ideas", slug=board.slug))
    elif request.method == "GET":
        form.tags.data = ", ".join(t.name for t in service.board_tags(board.id))
    return render_template("community/ideas/tags.html", board=board, form=form)


def idea_url_for_thread(thread):
    idea = service.idea_for_thread(thread.id)
    return url_for("ideas.show", idea_id=idea.id) if idea else None
