"""A circle's threads: opening one, reading one (the forum's posts, replies and likes, with
shared cards), and the circle moderators' tools. Replies go through the forum's own
reply route, which asks the circle (access.guard_reply) before writing."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import cards
from ..forum import service as forum
from ..forum.forms import ReplyForm, ThreadForm
from ..kernel.errors import DomainError, HeldForApproval
from ..web import ratelimits
from ..web.http import apply_error, form_text, int_arg, page_arg, to_waiting
from ..web.pagecache import public_page
from . import access, moderation, threads

bp = Blueprint("circle_threads", __name__)


@bp.route("/circles/<slug>/threads/new", methods=["GET", "POST"])
@login_required
@ratelimits.posting
def new(slug):
    circle, member = access.readable_circle(slug, current_user)
    access.ensure_member(member)
    form = ThreadForm()
    if form.validate_on_submit():
        try:
            thread = threads.create_thread(circle, current_user, form.title.data, form.body.data,
                                           form.submit_token.data)
        except HeldForApproval as held:
            return to_waiting(held)
        except DomainError as error:
            apply_error(form, error)
        else:
            return redirect(url_for("circle_threads.thread", slug=circle.slug,
                                    thread_id=thread.id))
    status = 422 if request.method == "POST" else 200
    return render_template("community/circles/new_thread.html", circle=circle, form=form), status


@bp.get("/circles/<slug>/t/<int:thread_id>")
@public_page
def thread(slug, thread_id):
    circle, member = access.readable_circle(slug, current_user)
    found = threads.get_thread(circle, thread_id, member)
    return render_thread(circle, member, found)


def render_thread(circle, member, thread, event=None):
    page = forum.thread_posts(thread, page_arg(), current_app.config["PER_PAGE"])
    if page.page > 1 and not page.items:
        abort(404)
    shared = threads.cards_of([p.id for p in page.items])
    place = cards.Place("circle", circle.id, request.path)
    rendered = cards.render(list(shared.values()), current_user, place) if shared else {}
    return render_template(
        "community/circles/thread.html", circle=circle, member=member, thread=thread,
        event=event, page=page, moderator=access.is_moderator(member),
        cards={post_id: rendered[ref] for post_id, ref in shared.items()},
        form=ReplyForm() if current_user.is_authenticated else None)


@bp.post("/circles/<slug>/t/<int:thread_id>/<any(pin, unpin, lock, unlock, hide, unhide):action>")
@login_required
def thread_action(slug, thread_id, action):
    circle, _member = access.readable_circle(slug, current_user)
    moderation.thread_action(circle, current_user, thread_id, action,
                             form_text("reason"))
    flash(_("Done: %(action)s.", action=action), "success")
    return redirect(url_for("circle_threads.thread", slug=circle.slug, thread_id=thread_id)
                    if action != "hide" else url_for("circles.show", slug=circle.slug))


@bp.post("/circles/<slug>/posts/<int:post_id>/<any(hide, unhide):action>")
@login_required
def post_action(slug, post_id, action):
    circle, _member = access.readable_circle(slug, current_user)
    post = moderation.set_post_hidden(circle, current_user, post_id, action == "hide",
                                      form_text("reason"))
    flash(_("Done: %(action)s.", action=action), "success")
    return redirect(url_for("forum.post", post_id=post.id))


@bp.route("/circles/<slug>/t/<int:thread_id>/share", methods=["POST"])
@login_required
@ratelimits.posting
def share(slug, thread_id):
    """Share a card straight into this thread (the share page posts here too)."""
    circle, member = access.readable_circle(slug, current_user)
    threads.get_thread(circle, thread_id, member)
    target_id = int_arg("id", values=request.form, message=_("Say what to share."))
    try:
        post = threads.share(thread_id, current_user, form_text("kind"), target_id,
                             form_text("comment"))
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
        return redirect(url_for("circle_threads.thread", slug=circle.slug, thread_id=thread_id))
    return redirect(url_for("forum.post", post_id=post.id))
