"""Last posters and unread markers in thread and idea lists: a reader's markers are theirs
alone, though the lists are stored pages shared by every fan."""

import threading

import pytest
from helpers import make_board, make_thread, make_user
from sqlalchemy import func, select

from community.accounts import service as accounts
from community.forum import service as forum
from community.forum.models import Post
from community.ideas import service as ideas
from community.kernel.extensions import db
from community.reading import service as reading
from community.reading.models import ReadMark


@pytest.fixture
def place(app):
    with app.app_context():
        make_user("anna"), make_user("bo")
        carl = make_user("carl")
        board = make_board(slug="talk")
        thread = make_thread(board=board, author=carl, title="Battery life")
        return {"thread": thread.id, "board": board.slug, "carl": carl.id}


def _client(app, name):
    client = app.test_client()
    client.post("/login", data={"login": name, "password": "correct-horse-9"})
    return client


def _reply(app, thread_id, username, body):
    with app.app_context():
        author = accounts.get_by_username(username)
        forum.reply(forum.get_thread(thread_id, author), author, body)


def _user(username):
    return accounts.get_by_username(username)


def _unread(page):
    return page.count('data-testid="unread"')


def test_unread_markers_are_each_readers_own_through_the_shared_page(app, place):
    anna, bo, visitor = _client(app, "anna"), _client(app, "bo"), app.test_client()
    board = f"/b/{place['board']}"
    # Started after both joined, opened by neither: "New" to both.
    page = anna.get(board).get_data(as_text=True)
    assert _unread(page) == 1 and ">New<" in page
    anna.get(f"/t/{place['thread']}")  # anna reads it
    assert _unread(anna.get(board).get_data(as_text=True)) == 0
    _reply(app, place["thread"], "carl", "It lasts two days now.")
    _reply(app, place["thread"], "carl", "Three with the saver on.")
    first = anna.get(board)
    page = first.get_data(as_text=True)
    assert ">2 new<" in page and _unread(page) == 1
    # The last poster is part of the page everyone shares.
    assert 'data-testid="last-poster"' in page and "carl" in page
    again = anna.get(board)
    assert again.headers.get("X-Page-Cache") == "hit"
    assert ">2 new<" in again.get_data(as_text=True)
    # bo is shown the same stored page, with his own marker: never anna's.
    shown = bo.get(board)
    assert shown.headers.get("X-Page-Cache") == "hit"
    page = shown.get_data(as_text=True)
    assert "2 new" not in page and ">New<" in page
    bo.get(f"/t/{place['thread']}")
    page = bo.get(board).get_data(as_text=True)
    assert _unread(page) == 0
    assert ">2 new<" in anna.get(board).get_data(as_text=True)
    # A visitor has no markers at all.
    assert _unread(visitor.get(board).get_data(as_text=True)) == 0


def test_a_stored_thread_page_still_moves_the_readers_mark(app, place):
    anna, bo = _client(app, "anna"), _client(app, "bo")
    thread = f"/t/{place['thread']}"
    bo.get(thread)
    _reply(app, place["thread"], "carl", "News.")
    bo.get(thread)  # drawn and stored for fans
    assert anna.get(thread).headers.get("X-Page-Cache") == "hit"
    with app.app_context():
        anna_id = _user("anna").id
        assert reading.position_of(anna_id, place["thread"]) == 1


def test_hidden_and_removed_replies_are_not_new_and_not_last(app, place):
    anna = _client(app, "anna")
    anna.get(f"/t/{place['thread']}")
    _reply(app, place["thread"], "bo", "A visible reply.")
    _reply(app, place["thread"], "carl", "Soon removed.")
    with app.app_context():
        carl = _user("carl")
        post = db.session.scalar(select(Post).where(Post.body == "Soon removed."))
        forum.delete_post(post, carl)
        last = reading.last_posts("thread", [place["thread"]])[place["thread"]]
        assert last.author.username == "bo"
    page = anna.get(f"/b/{place['board']}").get_data(as_text=True)
    assert ">1 new<" in page


def test_idea_lists_show_last_poster_and_new_replies(app):
    with app.app_context():
        make_user("anna")
        carl = make_user("carl")
        board = make_board(slug="ideas-board")
        idea = ideas.propose(board, carl, "A darker theme", "Please.")
        idea_id, thread_id = idea.id, idea.thread_id
    anna = _client(app, "anna")
    listing = "/b/ideas-board/ideas"
    assert ">New<" in anna.get(listing).get_data(as_text=True)
    anna.get(f"/ideas/{idea_id}")
    assert _unread(anna.get(listing).get_data(as_text=True)) == 0
    _reply(app, thread_id, "carl", "Mock-ups attached.")
    page = anna.get(listing).get_data(as_text=True)
    assert ">1 new<" in page and 'data-testid="last-poster"' in page


def test_marks_only_move_forward_and_stay_one_row(app, place):
    with app.app_context():
        anna_id = _user("anna").id
    _reply(app, place["thread"], "carl", "One.")
    with app.app_context():
        assert reading.mark_read(anna_id, place["thread"]) is True
    with app.app_context():
        assert reading.mark_read(anna_id, place["thread"]) is False  # nothing to write
    errors = []

    def open_thread():
        with app.app_context():
            try:
                reading.mark_read(anna_id, place["thread"])
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    _reply(app, place["thread"], "carl", "Two.")
    workers = [threading.Thread(target=open_thread) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReadMark)) == 1
        assert reading.position_of(anna_id, place["thread"]) == 2
