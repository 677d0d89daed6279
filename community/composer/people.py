"""Whom "@" may name: people whose name starts with what was typed, the ones the writer
follows and the thread's own posters first (Discourse's order)."""

import re

from sqlalchemy import and_, case, exists, select

from ..accounts.follows import Follow
from ..accounts.models import User
from ..accounts.names import key
from ..forum.models import Post
from ..forum.service import get_thread
from ..kernel.errors import NotFound
from ..kernel.extensions import db

PREFIX_RE = re.compile(r"^[\w-]{1,32}$")
LIMIT = 8


def _like_prefix(prefix):
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def suggest(user, prefix, thread_id=None):
    """Up to LIMIT usernames starting with `prefix` (any case, full-width folded)."""
    if not PREFIX_RE.match(prefix or ""):
        return []
    followed = exists().where(Follow.user_id == user.id, Follow.target_type == "user",
                              Follow.target_id == User.id)
    rank = [case((followed, 0), else_=2)]
    if thread_id:
        try:  # a thread the writer cannot read says nothing about who posted in it
            thread = get_thread(thread_id, user)
        except NotFound:
            thread = None
        if thread is not None:
            posted = exists().where(and_(Post.thread_id == thread.id, Post.author_id == User.id))
            rank = [case((followed, 0), (posted, 1), else_=2)]
    rows = db.session.scalars(
        select(User.username)
        .where(User.username_key.like(_like_prefix(key(prefix)), escape="\\"),
               User.id != user.id, User.banned_at.is_(None))
        .order_by(*rank, User.username_key).limit(LIMIT))
    return list(rows)
