"""The feed: recent activity of the people, boards and ideas someone follows.

Listeners write one Activity row per public event (not one per follower), and a
feed page is a UNION of three bounded index ranges, one per way of following,
each cut to a page before they meet and none reaching back past a 30-day
window: a page costs the followed things' recent activity at most, never the
table, and a popular person's followers add nothing to it.
"""

from datetime import timedelta

from sqlalchemy import or_, select, union, update

from ..accounts import follows
from ..forum.models import Post, Thread
from ..kernel import signals
from ..kernel.database import utcnow
from ..kernel.extensions import db
from ..web.pagination import Page
from .fanout import clip, excerpt_of_html
from .models import EXCERPT_MAX, TITLE_MAX, Activity

# Discussions and ideas are public; other thread kinds (circles) stay off feeds.
FEED_THREAD_KINDS = ("discussion", "idea")
# A feed is recent news: older activity is never read, however much piles up.
FEED_WINDOW = timedelta(days=30)


def connect():
    signals.thread_created.connect(on_thread_created)
    signals.idea_created.connect(on_idea_created)
    signals.idea_status_changed.connect(on_idea_status_changed)
    signals.idea_merged.connect(on_idea_merged)
    signals.round_opened.connect(on_round_opened)
    signals.post_deleted.connect(on_post_deleted)
    signals.content_moderated.connect(on_content_moderated)


def record(kind, actor_id, **values):
    """Add an activity row inside the caller's transaction."""
    values["title"] = clip(values.get("title"), TITLE_MAX)
    values["detail"] = clip(values.get("detail"), TITLE_MAX)
    values["excerpt"] = clip(values.get("excerpt"), EXCERPT_MAX)
    db.session.add(Activity(kind=kind, actor_id=actor_id, **values))


# ---- writing ---------------------------------------------------------------

def on_thread_created(thread, post, **_):
    # Idea threads are announced by idea_created, once the idea exists.
    if thread.kind == "discussion" and thread.listed:
        record("thread", thread.author_id, board_id=thread.board_id, thread_id=thread.id,
               post_id=post.id, target_type="post", target_id=post.id, title=thread.title,
               excerpt=excerpt_of_html(post.body_html))


def reply_added(post, thread, idea_id):
    """A reply, from listeners.on_post_created (it has already looked up the idea)."""
    if thread.kind not in FEED_THREAD_KINDS:
        return
    record("reply", post.author_id, board_id=thread.board_id, thread_id=thread.id,
           post_id=post.id, idea_id=idea_id, target_type="post", target_id=post.id,
           title=thread.title, excerpt=excerpt_of_html(post.body_html))


def on_idea_created(idea, **_):
    record("idea", idea.author_id, board_id=idea.board_id, idea_id=idea.id,
           thread_id=idea.thread_id, target_type="idea", target_id=idea.id, title=idea.title)


def on_idea_status_changed(idea, change, actor, **_):
    kind = "idea_status" if change.from_status != change.to_status else "idea_response"
    record(kind, actor.id, board_id=idea.board_id, idea_id=idea.id, thread_id=idea.thread_id,
           target_type="status_change", target_id=change.id, title=idea.title,
           detail=change.to_status, excerpt=excerpt_of_html(change.response_html))


def on_idea_merged(source, target, actor, change, **_):
    record("idea_merged", actor.id, board_id=source.board_id, idea_id=source.id,
           thread_id=source.thread_id, target_type="idea", target_id=target.id,
           title=source.title, detail=target.title)


def on_round_opened(round_, **_):
    record("round_opened", round_.created_by_id, board_id=round_.board_id,
           target_type="round", target_id=round_.id, title=round_.title,
           excerpt=excerpt_of_html(round_.brief_html))


def on_post_deleted(post, **_):
    db.session.execute(update(Activity).where(Activity.post_id == post.id).values(hidden=True))


def on_content_moderated(actor, kind, id, hidden, **_):
    """Hidden content leaves every feed; restored content returns unless still hidden
    another way (a restored thread keeps its separately hidden or removed posts off)."""
    if kind == "post":
        rows = Activity.post_id == id
        if not hidden:
            thread_hidden = select(Thread.hidden).join(Post, Post.thread_id == Thread.id) \
                .where(Post.id == id).scalar_subquery()
            rows = rows & thread_hidden.is_(False)
    elif kind == "thread":
        rows = Activity.thread_id == id
        if not hidden:
            visible = select(Post.id).where(Post.thread_id == id, Post.hidden.is_(False),
                                            Post.deleted_at.is_(None))
            rows = rows & or_(Activity.post_id.is_(None), Activity.post_id.in_(visible))
    else:
        return
    db.session.execute(update(Activity).where(rows).values(hidden=hidden))


# ---- reading ---------------------------------------------------------------

def feed_page(user, per_page, before=None):
    """A page of the user's feed, newest first; `before` is the last id of the previous page.

    Each branch reads one index ((actor_id, id), (board_id, id) or (idea_id, id))
    for the followed ids, within the window, and keeps a page; an event reached
    two ways (a followed person replying on a followed idea) shows once.
    """
    # Ids grow with time, so the window's first id bounds every branch's index range.
    floor = select(Activity.id).where(Activity.created_at >= utcnow() - FEED_WINDOW) \
        .order_by(Activity.created_at, Activity.id).limit(1).scalar_subquery()
    branches = []
    for target_type, column in (("user", Activity.actor_id), ("board", Activity.board_id),
                                ("idea", Activity.idea_id)):
        branch = select(Activity.id).where(
            column.in_(follows.followed(user.id, target_type)), Activity.id >= floor,
            Activity.hidden.is_(False), Activity.actor_id != user.id)
        if before is not None:
            branch = branch.where(Activity.id < before)
        # A subquery each, since SQLite takes no LIMIT on a bare member of a UNION.
        limited = branch.order_by(Activity.id.desc()).limit(per_page + 1).subquery()
        branches.append(select(limited.c.id))
    ids = union(*branches).subquery()
    rows = db.session.scalars(
        select(Activity).where(Activity.id.in_(select(ids.c.id)))
        .order_by(Activity.id.desc()).limit(per_page + 1)
    ).all()
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    return Page(items=rows, page=1, per_page=per_page, has_next=has_next,
                next_cursor=str(rows[-1].id) if has_next else None)
