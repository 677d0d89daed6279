"""Boards, threads and posts: thin views over forum.service."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..kernel import signals
from ..kernel.errors import DomainError, HeldForApproval
from ..media import service as media
from ..web import ratelimits
from ..web.http import apply_error, form_text, page_arg, text_arg, to_waiting
from ..web.pagecache import not_shared, public_page
from . import boards as board_service
from . import service
from .forms import EditPostForm, ReplyForm, ThreadForm

bp = Blueprint("forum", __name__)


def _per_page():
    return current_app.config["PER_PAGE"]


@bp.get("/")
@public_page(members=True)
def index():
    boards = board_service.list_boards()
    return render_template("community/forum/index.html", boards=boards,
                           last_threads=board_service.last_threads(boards))


def _listed_board(slug):
    board = board_service.board_for_page(slug)
    if not board.listed:
        abort(404)
    return board


@bp.get("/b/<slug>")
@public_page(members=True)
def board(slug):
    board = _listed_board(slug)
    cursor = None
    before = text_arg("before", None)
    if before is not None:
        cursor = service.decode_cursor(before)
        if cursor is None:
            abort(400, description=_("That page link is broken."))
    page = service.board_threads(board, current_user, _per_page(), cursor)
    return render_template("community/forum/board.html", board=board, page=page,
                           first_page=cursor is None)


@bp.route("/b/<slug>/new", methods=["GET", "POST"])
@login_required
@ratelimits.posting
def new_thread(slug):
    board = _listed_board(slug)
    form = ThreadForm()
    if form.validate_on_submit():
        try:
            images = media.prepare(request.files.getlist("images"), current_user)
            thread = service.create_thread(board, current_user, form.title.data, form.body.data,
                                           form.submit_token.data, images=images)
        except HeldForApproval as held:
            return to_waiting(held)
        except DomainError as error:
            apply_error(form, error)
        else:
            return redirect(url_for("forum.thread", thread_id=thread.id))
    status = 422 if form.errors or request.method == "POST" else 200
    return render_template("community/forum/new_thread.html", board=board, form=form), status


def _render_thread(thread, form=None, status=200):
    page = service.thread_posts(thread, page_arg(), _per_page())
    if page.page > 1 and not page.items:
        abort(404)
    return render_template(
        "community/forum/thread.html", thread=thread, page=page,
        post_images=media.images_of("post", [post.id for post in page.items]),
        # The reply box shows a form to the signed-in only (_reply_form.html).
        form=form or (ReplyForm() if current_user.is_authenticated else None),
    ), status


@bp.get("/t/<int:thread_id>")
@public_page(members=True)
def thread(thread_id):
    if service.owner_decides_readers(thread_id):
        # A circle's thread: here only a redirect to its owner's page, or a 404 for who
        # may not read it. Never a page to share, and deciding asks who is reading.
        not_shared()
    thread = service.thread_for_page(thread_id, current_user)
    if (owner := service.owner_url(thread)) is not None:
        return redirect(owner)
    return _render_thread(thread)


@bp.post("/t/<int:thread_id>/reply")
@login_required
@ratelimits.posting
def reply(thread_id):
    thread = service.get_thread(thread_id, current_user)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            images = media.prepare(request.files.getlist("images"), current_user)
            post = service.reply(thread, current_user, form.body.data, form.submit_token.data,
                                 images=images)
        except HeldForApproval as held:
            return to_waiting(held)
        except DomainError as error:
            if (owner := service.owner_url(thread)) is not None:
                return _refused_elsewhere(thread, owner, form, error.message)
            apply_error(form, error)
            return _render_thread(thread, form, error.status)
        return redirect(post_url(post))
    if (owner := service.owner_url(thread)) is not None:
        return _refused_elsewhere(thread, owner, form,
                                  " ".join(e for errors in form.errors.values() for e in errors))
    return _render_thread(thread, form, 422)


def _refused_elsewhere(thread, owner, form, message):
    """A reply refused on an idea's or meetup's page, which this view cannot draw: the
    text and the reason wait as the fan's draft for that page's reply box (composer.js
    puts both back and moves focus there); the flash says it without script."""
    flash(message, "error")
    if (form.body.data or "").strip() and "csrf_token" not in form.errors:
        signals.reply_refused.send(current_user._get_current_object(), thread_id=thread.id,
                                   body=form.body.data, url=owner, error=message)
    return redirect(owner + "#reply")


def post_url(post):
    """Where a post is shown: its thread's page (or its owner's) with the right page number."""
    page = post.position // _per_page() + 1
    if (owner := service.owner_url(service.thread_of(post))) is not None:
        sep = "&" if "?" in owner else "?"
        return f"{owner}{sep}page={page}#post-{post.id}" if page > 1 else f"{owner}#post-{post.id}"
    return url_for("forum.thread", thread_id=post.thread_id, page=page if page > 1 else None,
                   _anchor=f"post-{post.id}")


@bp.get("/p/<int:post_id>")
def post(post_id):
    return redirect(post_url(service.get_post(post_id, current_user)))


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id):
    post = service.get_post(post_id, current_user)
    if post.author_id != current_user.id and not current_user.is_staff:
        abort(403)
    thread = service.get_thread(post.thread_id, current_user)
    form = EditPostForm(obj=post)
    if request.method == "GET" and post.position == 0:
        form.title.data = thread.title
    if form.validate_on_submit():
        title = form.title.data if post.position == 0 else None
        try:
            service.edit_post(post, current_user, form.body.data, title)
        except DomainError as error:
            apply_error(form, error)
        else:
            return redirect(post_url(post))
    status = 422 if request.method == "POST" else 200
    return render_template("community/forum/edit_post.html", form=form, post=post,
                           thread=thread), status


@bp.post("/p/<int:post_id>/delete")
@login_required
def delete_post(post_id):
    post = service.get_post(post_id, current_user)
    service.delete_post(post, current_user)
    flash(_("Your post was removed."), "success")
    return redirect(post_url(post))


@bp.post("/p/<int:post_id>/like")
@login_required
def like(post_id):
    post = service.get_post(post_id, current_user)
    liked = form_text("liked", "1") == "1"
    count = service.set_like(post, current_user, liked)
    if request.accept_mimetypes.best == "application/json":
        return {"liked": liked, "likes": count}
    return redirect(post_url(post))
