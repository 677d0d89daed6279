"""Conversation pages: the list, starting one, the conversation with its poll, sending,
members, muting, leaving; messaging and blocking from a profile. Thin: who may
see what is access.py's, everything else the services'."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import cards
from ..kernel.errors import DomainError
from ..web import ratelimits
from ..web.fragments import Fragments
from ..web.http import apply_error, form_text, int_arg, page_arg, text_arg
from . import access, blocks, sending, service
from .forms import NewConversationForm

bp = Blueprint("messages", __name__)


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


def _id_arg(name):
    return int_arg(name, None, minimum=0, message=_("That page link is broken."))


def render_messages(conversation, messages, viewer, fragments=None):
    """[(message, card markup or None)] with every card loaded once per kind."""
    place = cards.Place("conversation", conversation.id,
                        url_for("messages.show", conversation_id=conversation.id))
    refs = [m.card for m in messages if m.card and not m.hidden]
    rendered = cards.render(refs, viewer, place, fragments) if refs else {}
    return [(m, rendered.get(m.card) if m.card and not m.hidden else None) for m in messages]


@bp.get("/conversations")
@login_required
def index():
    page = service.conversations_of(current_user, page_arg(), current_app.config["PER_PAGE"])
    names = service.names_in([p.conversation_id for p in page.items], current_user.id)
    return render_template("community/messages/index.html", page=page, names=names)


@bp.route("/conversations/new", methods=["GET", "POST"])
@login_required
def new():
    form = NewConversationForm(participants=text_arg("to"))
    if form.validate_on_submit():
        try:
            names = form.participants.data.replace("，", ",").replace("@", "").split(",")
            conversation, _created = service.start(current_user, names, form.title.data)
            if (form.body.data or "").strip():
                sending.send(conversation.id, current_user, form.body.data)
        except DomainError as error:
            apply_error(form, error)
        else:
            return redirect(url_for("messages.show", conversation_id=conversation.id))
    status = 422 if request.method == "POST" else 200
    return render_template("community/messages/new.html", form=form), status


@bp.get("/conversations/<int:conversation_id>")
@login_required
def show(conversation_id):
    before = _id_arg("before")
    conversation, row, messages, has_older = sending.latest(conversation_id, current_user, before)
    user_id, read_up_to = row.user_id, row.last_read_message_id
    page = render_template(
        "community/messages/show.html", conversation=conversation, row=row,
        items=render_messages(conversation, messages, current_user), has_older=has_older,
        before=before, members=service.members_of(conversation.id),
        last_id=messages[-1].id if messages else row.since_message_id,
        poll_seconds=current_app.config["MESSAGES_POLL_SECONDS"])
    if before is None and messages:
        sending.mark_read(conversation.id, user_id, read_up_to, messages[-1].id)
    return page


@bp.get("/conversations/<int:conversation_id>/messages")
@login_required
def poll(conversation_id):
    """The small JSON endpoint the page polls: new messages after ?after=<id>, rendered.

    Nothing new answers at once with an empty list (or 304 to a matching If-None-Match),
    after one query; the sync worker is free again in a millisecond or two.
    """
    after = _id_arg("after") or 0
    row, messages = sending.poll(conversation_id, current_user, after)
    etag = f"c{conversation_id}-{row.last_message_id}"
    if not messages:
        if request.if_none_match.contains(etag):
            return "", 304, {"ETag": f'"{etag}"'}
        return {"items": [], "last_id": after}, 200, {"ETag": f'"{etag}"'}
    user_id, read_up_to = row.user_id, row.last_read_message_id
    fragments = Fragments()  # context processors once, not once per message
    items = [{"id": m.id, "html": fragments("community/messages/_message.html", message=m,
                                            card=card, mine=m.author_id == user_id)}
             for m, card in render_messages(row.conversation, messages, current_user, fragments)]
    sending.mark_read(conversation_id, user_id, read_up_to, messages[-1].id)
    return {"items": items, "last_id": messages[-1].id}, 200, {"ETag": f'"{etag}"'}


@bp.post("/conversations/<int:conversation_id>/messages")
@login_required
@ratelimits.posting
def send(conversation_id):
    access.get_conversation(conversation_id, current_user)
    try:
        message = sending.send(conversation_id, current_user, form_text("body"))
    except DomainError as error:
        if _wants_json() or error.status == 404:
            raise
        flash(error.message, "error")
        return redirect(url_for("messages.show", conversation_id=conversation_id))
    if _wants_json():
        return {"id": message.id}, 201
    return redirect(url_for("messages.show", conversation_id=conversation_id,
                            _anchor=f"m{message.id}"))


@bp.post("/conversations/<int:conversation_id>/members")
@login_required
def add_members(conversation_id):
    access.get_conversation(conversation_id, current_user)
    names = form_text("usernames").replace("，", ",").split(",")
    try:
        added = service.add_members(conversation_id, current_user, names)
    except DomainError as error:
        if error.status == 404:
            raise
        flash(error.message, "error")
    else:
        flash(_("Added %(n)d people.", n=added), "success")
    return redirect(url_for("messages.show", conversation_id=conversation_id))


@bp.post("/conversations/<int:conversation_id>/mute")
@login_required
def mute(conversation_id):
    muted = form_text("muted", "1") == "1"
    service.set_muted(conversation_id, current_user, muted)
    flash(_("Muted: it no longer counts on the envelope.") if muted else _("Unmuted."), "success")
    return redirect(url_for("messages.show", conversation_id=conversation_id))


@bp.post("/conversations/<int:conversation_id>/leave")
@login_required
def leave(conversation_id):
    service.leave(conversation_id, current_user)
    flash(_("You left the conversation."), "success")
    return redirect(url_for("messages.index"))


@bp.post("/u/<username>/message")
@login_required
def message_user(username):
    other = service.get_user(username)
    try:
        conversation, _created = service.start(current_user, [other.username])
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.profile", username=other.username))
    return redirect(url_for("messages.show", conversation_id=conversation.id))


@bp.post("/u/<username>/<any(block, unblock):action>")
@login_required
def block(username, action):
    other = service.get_user(username)
    try:
        (blocks.block if action == "block" else blocks.unblock)(current_user, other)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("%(name)s is blocked: they cannot message you.", name=other.username)
              if action == "block" else _("%(name)s is unblocked.", name=other.username),
              "success")
    return redirect(url_for("accounts.profile", username=other.username))
