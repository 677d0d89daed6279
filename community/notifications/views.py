"""Notifications, the feed, and follow buttons: thin views over the services.

Follow and unfollow are plain form posts (they redirect back) that answer JSON
when asked, so site.js can flip a button without a reload. Domain errors go to
the app's error handlers, which answer JSON or a page the same way.
"""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts import follows
from ..web.http import form_numbers, int_arg, redirect_next
from . import feed, kinds, service

bp = Blueprint("notifications", __name__)

TARGET = "<any(idea, board, user):target_type>/<int:target_id>"
# Ids one "mark these read" may name (the page's and the drop-down's are fewer).
BELL_LATEST_MAX = 100


def init_app(app):
    """Template globals: where a notification's event links to (the bell is community/viewer/header.py)."""
    app.add_template_global(event_url)
    app.add_template_global(kinds.EXTRA, "NOTICE_KINDS")


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


def _before_arg():
    return int_arg("before", None, minimum=0, message=_("That page link is broken."))


@bp.get("/notifications")
@login_required
def index():
    page, unread = service.open_page(current_user, current_app.config["PER_PAGE"], _before_arg())
    return render_template("community/notifications/index.html", page=page, unread=unread,
                           first_page="before" not in request.args)


@bp.post("/notifications/read")
@login_required
def read_all():
    """Mark every notification read, or only those posted as `id` (the bell's drop-down
    marks what it showed); JSON answers with what is still unread."""
    if "id" in request.form:
        marked = service.mark_read(current_user, form_numbers("id", limit=BELL_LATEST_MAX))
    else:
        marked = service.mark_all_read(current_user)
    if _wants_json():
        return {"marked": marked, **_unread()}
    return redirect(url_for("notifications.index"))


def _unread():
    count = service.unread_count(current_user.id)
    return {"unread": count, "label": service.bell_label(count) if count else ""}


# The bell's own endpoints: the reader's, so never a stored page. The count is one small
# index read (service.UNREAD_COUNT), cheap enough for every open tab to ask each minute.
@bp.get("/notifications/unread")
@login_required
def unread():
    return _unread(), 200, {"Cache-Control": "private, no-store"}


@bp.get("/notifications/latest")
@login_required
def latest():
    """The drop-down's list, drawn here (the same lines as the notifications page), with
    the ids of the unread ones for the drop-down to mark read once shown."""
    items = service.latest(current_user.id)
    html = render_template("community/notifications/_bell_items.html", items=items)
    return ({"html": html, "unread_ids": [n.id for n in items if n.read_at is None],
             **_unread()}, 200, {"Cache-Control": "private, no-store"})


@bp.get("/feed")
@login_required
def feed_page():
    page = feed.feed_page(current_user, current_app.config["PER_PAGE"], _before_arg())
    return render_template("community/notifications/feed.html", page=page,
                           first_page="before" not in request.args)


@bp.post(f"/follow/{TARGET}")
@login_required
def follow(target_type, target_id):
    target = follows.follow(current_user, target_type, target_id)
    return _followed(target_type, target, True)


@bp.post(f"/unfollow/{TARGET}")
@login_required
def unfollow(target_type, target_id):
    target = follows.unfollow(current_user, target_type, target_id)
    return _followed(target_type, target, False)


def _followed(target_type, target, following):
    if _wants_json():
        return {"following": following}
    return redirect_next(target_url(target_type, target))


def event_url(event):
    """Where a notification or feed item leads: the post, the idea, or the round (or,
    for a registered kind, where its package says)."""
    if event.kind in kinds.EXTRA:
        return kinds.EXTRA[event.kind].url(event)
    if event.target_type == "post":
        return url_for("forum.post", post_id=event.target_id)
    if event.target_type == "idea":
        return url_for("ideas.show", idea_id=event.target_id)
    if event.idea_id is not None:
        return url_for("ideas.show", idea_id=event.idea_id)
    if event.target_type == "round":
        return url_for("rounds.show", round_id=event.target_id)
    if event.thread_id is not None:
        return url_for("forum.thread", thread_id=event.thread_id)
    return url_for("notifications.index")


def target_url(target_type, target):
    if target_type == "idea":
        return url_for("ideas.show", idea_id=target.id)
    if target_type == "board":
        return url_for("forum.board", slug=target.slug)
    return url_for("accounts.profile", username=target.username)
