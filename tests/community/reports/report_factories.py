"""Something of every community kind to report, set up through the services."""

import itertools

from helpers import make_board, make_thread, make_user
from sqlalchemy import update

from community.accounts import service as accounts
from community.accounts.models import User
from community.circles import invites, threads
from community.circles import service as circles
from community.forum import service as forum
from community.ideas import service as ideas
from community.kernel.database import transaction
from community.kernel.extensions import db
from community.messages import sending
from community.messages import service as messages

_seq = itertools.count(1)


def with_points(user, points):
    with transaction():
        db.session.execute(update(User).where(User.id == user.id).values(points=points))
    return accounts.get_by_username(user.username)


def private_circle(owner, members=()):
    n = next(_seq)
    circle = circles.create_circle(owner, f"Secret {n}", f"secret-{n}", "Members only.",
                                   "interest", None, "private")
    for member in members:
        invite = invites.create_invite(circle, owner, 1, 1)
        circles.join(circle, member, invite.token)
    return circle


def world():
    """{name: (kind, target_id)} of one target per kind, with its author and a reader who
    sees them all (a member of the circle, in the conversation)."""
    author = with_points(make_user(), 100)  # starting a circle needs level 2
    reader = make_user()
    board = make_board()
    thread = make_thread(board, author, "Loud opinions", "Opening words.")
    reply = forum.reply(thread, author, "A rude reply.")
    idea = ideas.propose(board, author, "Make it louder", "Much louder, please.")
    circle = private_circle(author, [reader])
    circle_thread = threads.create_thread(circle, author, "Inside talk", "Members only text.")
    circle_reply = forum.reply(circle_thread, author, "Members only reply.")
    conversation, _ = messages.start(author, [reader.username])
    message = sending.send(conversation.id, author, "A nasty message.")
    return {
        "author": author, "reader": reader, "board": board, "circle": circle,
        "targets": {
            "thread": ("thread", thread.id), "reply": ("post", reply.id),
            "idea": ("idea", idea.id), "profile": ("profile", author.id),
            "circle_thread": ("thread", circle_thread.id),
            "circle_reply": ("post", circle_reply.id), "message": ("message", message.id),
        },
    }
