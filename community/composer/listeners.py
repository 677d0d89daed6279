"""A draft ends when its text is posted (in the post's own transaction) and outlives a
post the server refused (kept with the reason, for the box it came from)."""

from ..kernel import signals
from . import drafts


def reply_place(thread_id):
    return f"reply:{thread_id}"


def thread_place(board_id):
    return f"thread:{board_id}"


IDEA_PLACE = "idea:new"


def on_post(post, thread=None, **_):
    drafts.forget(post.author_id, reply_place(post.thread_id))


def on_thread(thread, post=None, **_):
    drafts.forget(thread.author_id, thread_place(thread.board_id))


def on_idea(idea, **_):
    drafts.forget(idea.author_id, IDEA_PLACE)


def on_reply_refused(author, thread_id, body, url, error):
    drafts.save(author, reply_place(thread_id), body, url, error=error)


def connect():
    # Module functions, not lambdas: blinker keeps one connection per receiver.
    signals.post_created.connect(on_post, weak=False)
    signals.thread_created.connect(on_thread, weak=False)
    signals.idea_created.connect(on_idea, weak=False)
    signals.reply_refused.connect(on_reply_refused, weak=False)
