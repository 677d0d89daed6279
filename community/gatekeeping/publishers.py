"""How each kind of held post is written on approval, and where it was going.

Registered with forum/screening.py when the app starts (wiring.py). Each publisher runs
inside the approver's transaction and returns the Post it wrote; each asks its owner's
rules again (a locked thread, a circle the author left), since time has passed.
"""

from sqlalchemy import select

from ..circles import threads as circle_threads
from ..circles.models import Circle
from ..forum import service as forum
from ..forum.models import Board, Thread
from ..forum.screening import register_publisher
from ..ideas import service as ideas
from ..kernel.extensions import db


def _thread(author, fields, token):
    thread = forum.add_thread(fields["board_id"], author, fields["title"], fields["body"], token,
                              fields.get("kind", "discussion"), fields.get("listed", True))
    return forum.first_post(thread)


def _reply(author, fields, token):
    return forum.add_reply(fields["thread_id"], author, fields["body"], token)


def _idea(author, fields, token):
    idea = ideas.add_idea(fields["board_id"], author, fields["title"], fields["body"],
                          fields.get("tags") or (), fields.get("round_id"), token)
    return forum.first_post(idea.thread)


def _circle_thread(author, fields, token):
    thread = circle_threads.publish_circle_thread(fields["circle_id"], author, fields["title"],
                                                  fields["body"], token)
    return forum.first_post(thread)


def _board_place(fields):
    row = select(Board.name, Board.slug).where(Board.id == fields.get("board_id"))
    found = db.session.execute(row).first()
    if found is None:
        return "?", None
    return found.name, ("forum.board", {"slug": found.slug})


def _thread_place(fields):
    title = db.session.scalar(select(Thread.title).where(Thread.id == fields.get("thread_id")))
    if title is None:
        return "?", None
    return title, ("forum.thread", {"thread_id": fields["thread_id"]})


def _circle_place(fields):
    found = db.session.execute(select(Circle.name, Circle.slug)
                                     .where(Circle.id == fields.get("circle_id"))).first()
    if found is None:
        return "?", None
    return found.name, ("circles.show", {"slug": found.slug})


def register():
    register_publisher("thread", _thread, _board_place)
    register_publisher("reply", _reply, _thread_place)
    register_publisher("idea", _idea, _board_place)
    register_publisher("circle_thread", _circle_thread, _circle_place)
