"""Posts as a thread page shows them (templates/_macros/posts.html), read as plain rows.

A page of 20 posts loaded as Post objects with their authors' full User objects spent
more Python than the page took to render; a PostRow holds the columns the page shows,
read on the driver (community/kernel/reads.py) by a statement built once.
"""

from sqlalchemy import bindparam, select

from ..accounts.models import User
from ..accounts.rows import AUTHOR_COLUMNS, Author, moment
from ..kernel.reads import rows_of
from .models import Post


class PostRow:
    """What a Post gives for these attributes; `author` an accounts Author."""

    __slots__ = ("id", "thread_id", "author_id", "position", "body_html", "created_at",
                 "edited_at", "deleted_at", "hidden", "like_count", "author")

    def __repr__(self):
        return f"<PostRow {self.id} #{self.position}>"


_BETWEEN = (select(Post.id, Post.thread_id, Post.author_id, Post.position, Post.body_html,
                   Post.created_at, Post.edited_at, Post.deleted_at, Post.hidden,
                   Post.like_count, *AUTHOR_COLUMNS)
            .join(User, User.id == Post.author_id)
            .where(Post.thread_id == bindparam("thread_id"),
                   Post.position >= bindparam("start"), Post.position < bindparam("stop"))
            .order_by(Post.position))


def posts_between(thread_id, start, stop):
    """The thread's posts at positions start <= p < stop, in order."""
    found = []
    for (post_id, thread, author_id, position, body_html, created_at, edited_at, deleted_at,
         hidden, like_count, *author) in rows_of(_BETWEEN, thread_id=thread_id, start=start,
                                                 stop=stop):
        post = PostRow()
        post.id, post.thread_id, post.author_id, post.position = post_id, thread, author_id, position
        post.body_html, post.hidden, post.like_count = body_html, bool(hidden), like_count
        post.created_at, post.edited_at = moment(created_at), moment(edited_at)
        post.deleted_at, post.author = moment(deleted_at), Author(*author)
        found.append(post)
    return found
