"""The kinds' loaders (community/search/sources.py) read their rows on the driver: the
documents hold what the ORM holds (times as datetimes on both databases), and a change
the session has not flushed yet is read, as an outbox row applied in its transaction
needs."""

from helpers import make_board, make_thread, make_user

from community.forum import service as forum
from community.forum.models import Post, Thread
from community.ideas import service as ideas
from community.ideas.models import Idea
from community.kernel.extensions import db
from community.search import sources


def test_documents_hold_what_the_rows_hold(ctx):
    board, lin = make_board(), make_user("lin")
    thread = make_thread(board, lin, title="Battery life", body="It lasts **two** days.")
    reply = forum.reply(thread, lin, "Mine lasts three.")
    idea = ideas.propose(board, lin, "Longer battery", "Please make it last.")
    db.session.expire_all()
    doc = sources.load_threads([thread.id, 10**9])[thread.id]
    row = db.session.get(Thread, thread.id)
    assert (doc.title, doc.body, doc.board_id, doc.extra) == (
        "Battery life", "It lasts two days.", board.id, {"replies": 1})
    assert type(doc.created_at) is type(row.created_at) and doc.created_at == row.created_at
    doc = sources.load_replies([reply.id])[reply.id]
    assert (doc.title, doc.heading, doc.body, doc.extra) == (
        "", "Battery life", "Mine lasts three.", {"thread_id": thread.id})
    assert doc.created_at == db.session.get(Post, reply.id).created_at
    doc = sources.load_ideas([idea.id])[idea.id]
    found = db.session.get(Idea, idea.id)
    assert (doc.title, doc.body, doc.extra) == (
        "Longer battery", "Please make it last.", {"status": found.status, "votes": found.votes})
    assert doc.created_at == found.created_at
    assert sources.load_threads([]) == {} and sources.load_ideas([10**9]) == {}


def test_a_change_not_yet_flushed_is_read(ctx):
    thread = make_thread(make_board(), make_user("lin"), title="Old title")
    db.session.get(Thread, thread.id).title = "New title"  # pending in the session
    assert sources.load_threads([thread.id])[thread.id].title == "New title"
    db.session.rollback()
