"""Staff moderation: pin, lock and hide threads, hide posts (warnings, suspensions and
bans of members: community/moderation).

Every action writes a ModerationAction row in the same transaction, so the log
cannot miss an action or record one that did not happen.
"""

from flask_babel import gettext as _
from sqlalchemy import select, update

from ..accounts.models import User
from ..kernel import signals
from ..kernel.database import transaction
from ..kernel.errors import Forbidden, ValidationError
from ..kernel.extensions import db
from ..web.pagination import paginate
from .models import Board, ModerationAction, Post, Thread

MAX_REASON = 500


def ensure_staff(user):
    if user is None or not user.is_authenticated or not user.is_staff or user.is_banned:
        raise Forbidden(_("Only staff can do that."))


def record(actor, action, target_type, target_id, reason="", detail=""):
    """Log a moderation action inside the caller's transaction. The log is append-only:
    no code path changes or deletes a row, and on PostgreSQL a trigger refuses it
    (community/audit/models.py)."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationError(_("Keep the reason under %(n)d characters.", n=MAX_REASON), field="reason")
    db.session.add(ModerationAction(actor_id=actor.id, action=action, target_type=target_type,
                                    target_id=target_id, reason=reason, detail=detail[:200]))


def _set_thread_flag(thread, actor, flag, value, reason):
    ensure_staff(actor)
    with transaction():
        thread = db.session.get(Thread, thread.id)
        if getattr(thread, flag) == value:
            return thread
        setattr(thread, flag, value)
        if flag == "hidden" and thread.listed:
            # Board thread counts show what fans can see.
            db.session.execute(update(Board).where(Board.id == thread.board_id)
                               .values(thread_count=Board.thread_count + (-1 if value else 1)))
        verbs = {"pinned": ("pin", "unpin"), "locked": ("lock", "unlock"),
                 "hidden": ("hide", "unhide")}[flag]
        record(actor, verbs[0] if value else verbs[1], "thread", thread.id, reason)
        if flag == "hidden":
            signals.content_moderated.send(actor, kind="thread", id=thread.id, hidden=value)
    return thread


def set_pinned(thread, actor, value, reason=""):
    return _set_thread_flag(thread, actor, "pinned", value, reason)


def set_locked(thread, actor, value, reason=""):
    return _set_thread_flag(thread, actor, "locked", value, reason)


def set_thread_hidden(thread, actor, value, reason=""):
    return _set_thread_flag(thread, actor, "hidden", value, reason)


def set_post_hidden(post, actor, value, reason=""):
    ensure_staff(actor)
    with transaction():
        post = db.session.get(Post, post.id)
        if post.hidden == value:
            return post
        post.hidden = value
        record(actor, "hide" if value else "unhide", "post", post.id, reason)
        signals.content_moderated.send(actor, kind="post", id=post.id, hidden=value)
    return post


def actions(page, per_page):
    stmt = select(ModerationAction).order_by(ModerationAction.id.desc())
    return paginate(stmt, page, per_page)


def user_names(actions):
    """{user id: username as it is now} for the actions on users: the log names them by
    id, so a closed account shows its anonymised name, not the one it was acted on under."""
    ids = {a.target_id for a in actions if a.target_type == "user"}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
