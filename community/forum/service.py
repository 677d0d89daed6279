"""Forum use cases: boards, threads, replies, edits, deletes and likes."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts import service as accounts
from ..kernel import reads, signals
from ..kernel.compiled import rows_among
from ..kernel.database import insert_ignore, transaction, utcnow
from ..kernel.errors import Forbidden, NotFound, ValidationError
from ..kernel.extensions import db
from ..media import service as media
from ..web.markdown import render
from ..web.pagination import Page
from .models import Board, Post, PostLike, Thread
from .rows import board_thread_rows, posts_between, profile_items, thread_page, thread_titles
from .screening import GUARDS, guard_post, register_post_guard, screen

MAX_TITLE = 200
# Title lengths per thread kind; an idea's title is its thread's.
TITLE_LIMITS = {"idea": (5, 120)}
MAX_BODY = 50_000


# Threads owned by something else (an idea, a product) live at their owner's page.
# kind -> function(thread) -> URL; owners register when the app starts.
OWNER_URLS = {}


def register_owner_url(kind, url_for_thread):
    OWNER_URLS[kind] = url_for_thread


def owner_url(thread):
    builder = OWNER_URLS.get(thread.kind)
    return builder(thread) if builder else None


# Checks a post must pass before it is written: screening.py (the link level, watched
# words, copies, approval). Kept here under their old names for their callers.
POST_GUARDS, register_post_guard, guard_post = GUARDS, register_post_guard, guard_post


# Threads whose readers their owner decides (a circle's threads are its members'):
# kind -> (can_read(thread, viewer) -> bool, guard_reply(thread, author) raising a
# DomainError, or None). get_thread, get_post and add_reply ask; board pages and
# profiles leave these kinds out, since they are read on their owner's pages.
THREAD_ACCESS = {}


def register_thread_access(kind, can_read, guard_reply=None):
    THREAD_ACCESS[kind] = (can_read, guard_reply)


# ---- who may do what -------------------------------------------------------

def ensure_can_post(user, need_verified=True):
    if user is None or not user.is_authenticated:
        raise Forbidden(_("Sign in to post."), code="sign_in_required")
    if user.is_banned:
        raise Forbidden(_("Your account is banned and cannot post."), code="banned")
    if user.is_suspended:
        raise Forbidden(_("Your account is suspended and cannot post until %(until)s.",
                          until=user.suspended_until.strftime("%Y-%m-%d %H:%M UTC")),
                        code="suspended")
    if need_verified:
        accounts.ensure_verified(user)


_KIND = select(Thread.kind).where(Thread.id == bindparam("thread_id"))


def owner_decides_readers(thread_id):
    """Whether the thread's owner decides who reads it (a circle's); every thread page asks."""
    rows = reads.rows_of(_KIND, thread_id=thread_id)
    return bool(rows) and rows[0][0] in THREAD_ACCESS


def can_see_thread(thread, viewer):
    if thread.hidden and not _is_staff(viewer):
        return False
    access = THREAD_ACCESS.get(thread.kind)
    return access is None or access[0](thread, viewer)


def can_see_post(post, viewer):
    return not post.hidden or _is_staff(viewer)


def _is_staff(user):
    return bool(user is not None and user.is_authenticated and user.is_staff)


# ---- threads ---------------------------------------------------------------

def check_title(title, kind="discussion"):
    title = (title or "").strip()
    low, high = TITLE_LIMITS.get(kind, (1, MAX_TITLE))
    if not title:
        raise ValidationError(_("Give it a title."), field="title")
    if len(title) > high:
        raise ValidationError(_("Keep the title to %(n)d characters or fewer.", n=high), field="title")
    if len(title) < low:
        raise ValidationError(_("Make the title at least %(n)d characters long.", n=low), field="title")
    return title


def check_body(body):
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write something first."), field="body")
    if len(body) > MAX_BODY:
        raise ValidationError(_("Keep it under %(n)d characters.", n=MAX_BODY), field="body")
    return body


def existing_submission(author_id, token):
    if not token:
        return None
    return db.session.scalar(
        select(Post).where(Post.author_id == author_id, Post.submit_token == token)
    )


def create_thread(board, author, title, body, submit_token=None, kind="discussion", listed=True,
                  images=()):
    """Open a thread with its first post. A resubmitted form returns the first thread.
    `images`: media.prepare()'s re-encoded images for the first post."""
    title, body = check_title(title, kind), check_body(body)
    ensure_can_post(author)
    fields = screen(author, "thread", {"board_id": board.id, "title": title, "body": body,
                                       "kind": kind, "listed": listed, "uploads": len(images)},
                    submit_token)
    title, body = fields["title"], fields["body"]
    try:
        with media.pending(images) as stored, transaction():
            if (post := existing_submission(author.id, submit_token)) is not None:
                media.discard(stored)
                return db.session.get(Thread, post.thread_id)
            thread = add_thread(board.id, author, title, body, submit_token, kind, listed)
            media.add_rows(stored, "post", first_post(thread).id, author.id)
    except IntegrityError:
        if (post := existing_submission(author.id, submit_token)) is not None:
            return db.session.get(Thread, post.thread_id)
        raise
    return thread


def add_thread(board_id, author, title, body, submit_token=None, kind="discussion", listed=True):
    """The inside of create_thread, for other use cases' transactions (ideas, products)."""
    now = utcnow()
    thread = Thread(board_id=board_id, author_id=author.id, title=title, kind=kind,
                    listed=listed, created_at=now, last_post_at=now)
    db.session.add(thread)
    db.session.flush()
    post = Post(thread_id=thread.id, author_id=author.id, position=0, body=body,
                body_html=render(body), created_at=now, submit_token=submit_token)
    db.session.add(post)
    db.session.flush()
    db.session.execute(
        update(Board).where(Board.id == board_id).values(
            thread_count=Board.thread_count + (1 if listed else 0),
            post_count=Board.post_count + 1,
            last_post_at=now,
            last_thread_id=thread.id if listed else Board.last_thread_id,
        )
    )
    signals.thread_created.send(thread, post=post)
    signals.post_created.send(post, thread=thread)
    return thread


def get_thread(thread_id, viewer):
    thread = db.session.get(Thread, thread_id)
    if thread is None or not can_see_thread(thread, viewer):
        raise NotFound(_("No such thread."))
    return thread


def thread_for_page(thread_id, viewer):
    """get_thread for the thread's own page: the thread as forum/rows.py's ThreadPage."""
    thread = thread_page(thread_id)
    if thread is None or not can_see_thread(thread, viewer):
        raise NotFound(_("No such thread."))
    return thread


def first_post(thread):
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.position == 0))


def opening_post(thread):
    """The thread's first post as a PostRow (forum/rows.py), for pages that show it."""
    found = posts_between(thread.id, 0, 1)
    return found[0] if found else None


def thread_posts(thread, page, per_page):
    """A page of the thread's posts in order (forum/rows.py's PostRows); positions make
    it an index range."""
    start = (page - 1) * per_page
    rows = posts_between(thread.id, start, start + per_page)
    return Page(items=rows, page=page, per_page=per_page,
                has_next=thread.reply_count + 1 > start + per_page, total=thread.reply_count + 1)


def board_threads(board, viewer, per_page, cursor=None):
    """Pinned threads (first page only), then the rest by latest activity, as
    forum/rows.py's ThreadRows.

    Keyset pagination on (last_post_at, id): a thread bumped by a new reply while
    someone pages moves to the top instead of shifting every later page.
    """
    staff = _is_staff(viewer)
    pinned = [] if cursor is not None else board_thread_rows(board.id, THREAD_ACCESS, staff, True)
    rows = board_thread_rows(board.id, THREAD_ACCESS, staff, False, per_page + 1, cursor)
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    next_cursor = encode_cursor(rows[-1]) if has_next else None
    return Page(items=pinned + rows, page=1, per_page=per_page, has_next=has_next,
                next_cursor=next_cursor)


def encode_cursor(thread):
    return f"{thread.last_post_at.isoformat()}_{thread.id}"


def decode_cursor(raw):
    """Parse a board-page cursor; None for garbage (the view answers 400)."""
    stamp, _, thread_id = (raw or "").rpartition("_")
    try:
        return datetime.fromisoformat(stamp), int(thread_id)
    except ValueError:
        return None


# ---- posts -----------------------------------------------------------------

def reply(thread, author, body, submit_token=None, images=()):
    """Add a reply. A resubmitted form returns the first reply instead of a twin.
    `images`: media.prepare()'s re-encoded images for it."""
    body = check_body(body)
    ensure_can_post(author)
    body = screen(author, "reply", {"thread_id": thread.id, "body": body,
                                    "uploads": len(images)}, submit_token)["body"]
    try:
        with media.pending(images) as stored, transaction():
            if (post := existing_submission(author.id, submit_token)) is not None:
                media.discard(stored)
                return post
            post = add_reply(thread.id, author, body, submit_token)
            media.add_rows(stored, "post", post.id, author.id)
    except IntegrityError:
        if (post := existing_submission(author.id, submit_token)) is not None:
            return post
        raise
    return post


def add_reply(thread_id, author, body, submit_token=None):
    """The inside of reply(), for other use cases' transactions."""
    thread = db.session.get(Thread, thread_id, populate_existing=True)
    if thread is None or thread.hidden:
        raise Forbidden(_("This thread was hidden by the moderators and takes no replies."),
                        code="thread_hidden")
    if thread.locked:
        raise Forbidden(_("This thread is locked: no new replies."), code="thread_locked")
    access = THREAD_ACCESS.get(thread.kind)
    if access is not None and access[1] is not None:
        access[1](thread, author)
    now = utcnow()
    # The counter hands out the position, under the row lock this UPDATE takes.
    position = db.session.execute(
        update(Thread).where(Thread.id == thread_id)
        .values(reply_count=Thread.reply_count + 1, last_post_at=now)
        .returning(Thread.reply_count)
    ).scalar_one()
    post = Post(thread_id=thread_id, author_id=author.id, position=position, body=body,
                body_html=render(body), created_at=now, submit_token=submit_token)
    db.session.add(post)
    db.session.flush()
    board_values = {"post_count": Board.post_count + 1, "last_post_at": now}
    if thread.listed:
        board_values["last_thread_id"] = thread_id
    db.session.execute(update(Board).where(Board.id == thread.board_id).values(**board_values))
    db.session.refresh(thread)
    signals.post_created.send(post, thread=thread)
    return post


def thread_of(post):
    return db.session.get(Thread, post.thread_id)


def get_post(post_id, viewer):
    post = db.session.get(Post, post_id)
    if post is None or not can_see_post(post, viewer):
        raise NotFound(_("No such post."))
    thread = db.session.get(Thread, post.thread_id)
    if not can_see_thread(thread, viewer):
        raise NotFound(_("No such post."))
    return post


def _ensure_author(post, user, staff_may=False):
    if user is None or (post.author_id != user.id and not (staff_may and user.is_staff)):
        raise Forbidden(_("Only the author can change this post."))
    if post.deleted_at is not None:
        raise Forbidden(_("This post was removed."), code="post_removed")


def edit_post(post, user, body, title=None):
    body = check_body(body)
    _ensure_author(post, user, staff_may=True)  # staff edit from the report queue
    ensure_can_post(user)
    fields = screen(user, "edit", {"body": body} if title is None else {"body": body, "title": title})
    body, title = fields["body"], fields.get("title")
    thread = db.session.get(Thread, post.thread_id)
    if title is not None and post.position == 0:
        title = check_title(title, thread.kind)
    if thread.locked and not user.is_staff:
        raise Forbidden(_("This thread is locked: posts cannot be edited."), code="thread_locked")
    with transaction():
        post = db.session.get(Post, post.id)
        post.body, post.body_html, post.edited_at = body, render(body), utcnow()
        if title is not None and post.position == 0:
            db.session.get(Thread, post.thread_id).title = title
        signals.post_edited.send(post)
    return post


def delete_post(post, user):
    """Soft delete: the post keeps its place and shows as removed."""
    _ensure_author(post, user)
    with transaction():
        post = db.session.get(Post, post.id)
        post.deleted_at = utcnow()
        signals.post_deleted.send(post)
    return post


def set_like(post, user, liked):
    """Like or unlike a post; idempotent, the unique key decides. Returns the count."""
    ensure_can_post(user, need_verified=False)  # a like is a vote: open before confirming
    if post.deleted_at is not None:
        raise Forbidden(_("This post was removed."), code="post_removed")
    with transaction():
        if liked:
            changed = insert_ignore(PostLike, user_id=user.id, post_id=post.id, created_at=utcnow())
            step = 1
        else:
            changed = db.session.execute(
                delete(PostLike).where(PostLike.user_id == user.id, PostLike.post_id == post.id)
            ).rowcount == 1
            step = -1
        if changed:
            db.session.execute(
                update(Post).where(Post.id == post.id).values(like_count=Post.like_count + step)
            )
            signals.post_liked.send(post, user=user, liked=liked)
    db.session.refresh(post)
    return post.like_count


# Built once: every signed-in thread page asks (community/web/pagecache/holes.py).
_LIKED = select(PostLike.post_id).where(PostLike.user_id == bindparam("user_id"),
                                        PostLike.post_id.in_(bindparam("ids", expanding=True)))


def liked_post_ids(user, post_ids):
    if user is None or not user.is_authenticated or not post_ids:
        return set()
    return {row[0] for row in rows_among(_LIKED, list(post_ids), user_id=user.id)}


# ---- profiles --------------------------------------------------------------

def user_threads(user, viewer, page, per_page):
    """A page of the user's threads (forum/rows.py's ProfileThreads)."""
    return _profile_page(False, user, viewer, page, per_page)


def user_replies(user, viewer, page, per_page):
    """A page of the user's replies (forum/rows.py's ProfileReplies)."""
    return _profile_page(True, user, viewer, page, per_page)


def _profile_page(replies, user, viewer, page, per_page):
    rows = profile_items(replies, user.id, THREAD_ACCESS, _is_staff(viewer), per_page + 1,
                         (page - 1) * per_page)
    return Page(items=rows[:per_page], page=page, per_page=per_page,
                has_next=len(rows) > per_page)


def threads_by_id(ids):
    """{id: ThreadTitle} (forum/rows.py)."""
    return thread_titles(ids)
