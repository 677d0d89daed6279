import pytest
from helpers import make_board, make_thread, make_user
from sqlalchemy import func, select

from community.forum import boards as board_service
from community.forum import moderation, service
from community.forum.models import Board, Post, Thread
from community.kernel.errors import Forbidden, NotFound, ValidationError
from community.kernel.extensions import db
from community.moderation import service as sanctions_service


def test_thread_and_replies_move_the_counters(ctx):
    board = make_board()
    author, other = make_user(), make_user()
    thread = service.create_thread(board, author, "  Battery life  ", "How long does it **last**?")
    assert thread.title == "Battery life"
    opening = service.first_post(thread)
    assert opening.position == 0 and "<strong>last</strong>" in opening.body_html
    first = service.reply(thread, other, "A week.")
    second = service.reply(thread, author, "Thanks!")
    assert (first.position, second.position) == (1, 2)
    db.session.refresh(thread)
    db.session.refresh(board)
    assert thread.reply_count == 2
    assert thread.last_post_at == second.created_at
    assert (board.thread_count, board.post_count, board.last_thread_id) == (1, 3, thread.id)


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [("", "body", "title"), ("   ", "body", "title"), ("x" * 201, "body", "title"),
     ("ok", "", "body"), ("ok", "   \n ", "body"), ("ok", "x" * 50_001, "body")],
)
def test_bad_threads_write_nothing(ctx, title, body, field):
    board, author = make_board(), make_user()
    with pytest.raises(ValidationError) as caught:
        service.create_thread(board, author, title, body)
    assert caught.value.field == field
    assert db.session.scalar(select(func.count(Thread.id))) == 0
    assert db.session.scalar(select(func.count(Post.id))) == 0
    assert db.session.get(Board, board.id).thread_count == 0


def test_a_resubmitted_form_creates_one_thread_and_one_reply(ctx):
    board, author = make_board(), make_user()
    first = service.create_thread(board, author, "Once", "body", submit_token="tok-1")
    again = service.create_thread(board, author, "Once", "body", submit_token="tok-1")
    assert first.id == again.id
    r1 = service.reply(first, author, "reply", submit_token="tok-2")
    r2 = service.reply(first, author, "reply", submit_token="tok-2")
    assert r1.id == r2.id
    assert db.session.get(Thread, first.id).reply_count == 1
    assert db.session.get(Board, board.id).thread_count == 1


def test_locked_and_hidden_threads_take_no_replies(ctx):
    staff = make_user(role="staff")
    thread = make_thread()
    fan = make_user()
    moderation.set_locked(thread, staff, True, "cooling off")
    with pytest.raises(Forbidden, match="locked"):
        service.reply(thread, fan, "hello?")
    moderation.set_locked(thread, staff, False)
    moderation.set_thread_hidden(thread, staff, True, "spam")
    with pytest.raises(Forbidden, match="hidden"):
        service.reply(thread, fan, "hello?")
    assert db.session.get(Thread, thread.id).reply_count == 0


def test_banned_users_cannot_post_or_like(ctx):
    thread = make_thread()
    troll, staff = make_user(), make_user(role="staff")
    sanctions_service.ban_user(troll, staff, "spam")
    with pytest.raises(Forbidden, match="banned"):
        service.reply(thread, troll, "spam")
    with pytest.raises(Forbidden, match="banned"):
        service.create_thread(thread.board, troll, "spam", "spam")
    with pytest.raises(Forbidden, match="banned"):
        service.set_like(service.first_post(thread), troll, True)


def test_hidden_content_is_for_staff_only(ctx):
    staff, fan = make_user(role="staff"), make_user()
    thread = make_thread()
    reply = service.reply(thread, fan, "off topic")
    moderation.set_post_hidden(reply, staff, True, "off topic")
    with pytest.raises(NotFound):
        service.get_post(reply.id, fan)
    assert service.get_post(reply.id, staff).hidden
    moderation.set_thread_hidden(thread, staff, True, "spam")
    with pytest.raises(NotFound):
        service.get_thread(thread.id, fan)
    assert service.get_thread(thread.id, staff).hidden


def test_edit_marks_the_post_edited_and_only_the_author_may(ctx):
    thread = make_thread(title="Old title")
    opening = service.first_post(thread)
    author = db.session.get(type(thread.author), thread.author_id)
    with pytest.raises(Forbidden):
        service.edit_post(opening, make_user(), "hijack")
    service.edit_post(opening, author, "New *body*", title="New title")
    opening = service.first_post(thread)
    assert opening.edited_at is not None and "<em>body</em>" in opening.body_html
    assert db.session.get(Thread, thread.id).title == "New title"
    with pytest.raises(ValidationError):
        service.edit_post(opening, author, "fine", title="x" * 201)


def test_delete_is_soft_and_keeps_positions(ctx):
    thread = make_thread()
    fan = make_user()
    first = service.reply(thread, fan, "one")
    service.reply(thread, fan, "two")
    service.delete_post(first, fan)
    with pytest.raises(Forbidden):
        service.delete_post(db.session.get(Post, first.id), fan)  # already removed
    page = service.thread_posts(db.session.get(Thread, thread.id), 1, 20)
    assert [p.position for p in page.items] == [0, 1, 2]
    assert page.items[1].deleted_at is not None
    with pytest.raises(Forbidden):
        service.edit_post(db.session.get(Post, first.id), fan, "undo")


def test_likes_are_one_per_user_and_counted(ctx):
    post = service.first_post(make_thread())
    a, b = make_user(), make_user()
    assert service.set_like(post, a, True) == 1
    assert service.set_like(post, a, True) == 1
    assert service.set_like(post, b, True) == 2
    assert service.set_like(post, a, False) == 1
    assert service.set_like(post, a, False) == 1
    assert service.liked_post_ids(b, [post.id]) == {post.id}


def test_board_pages_stay_correct_while_threads_are_bumped(ctx):
    board, author = make_board(), make_user()
    threads = [service.create_thread(board, author, f"T{i}", "body") for i in range(45)]
    staff = make_user(role="staff")
    moderation.set_pinned(threads[0], staff, True)
    first = service.board_threads(board, None, 20)
    assert first.items[0].id == threads[0].id  # pinned first
    assert [t.title for t in first.items[1:4]] == ["T44", "T43", "T42"]
    assert first.has_next
    # A reply bumps T10 to the top while the reader is on page 1.
    service.reply(threads[10], author, "bump")
    second = service.board_threads(board, None, 20, service.decode_cursor(first.next_cursor))
    third = service.board_threads(board, None, 20, service.decode_cursor(second.next_cursor))
    seen = [t.id for t in first.items] + [t.id for t in second.items] + [t.id for t in third.items]
    # Nothing repeats and only the bumped thread (now above the reader) is not seen again.
    assert len(seen) == len(set(seen))
    assert set(seen) == {t.id for t in threads} - {threads[10].id}
    assert not third.has_next


def test_board_ordering_and_editing(ctx):
    a, b, c = make_board("a"), make_board("b"), make_board("c")
    board_service.move_board(c, -1)
    assert [x.slug for x in board_service.list_boards()] == ["a", "c", "b"]
    board_service.move_board(a, -1)  # already first: no change
    assert [x.slug for x in board_service.list_boards()] == ["a", "c", "b"]
    with pytest.raises(ValidationError):
        board_service.create_board("Dup", "a")
    with pytest.raises(ValidationError):
        board_service.update_board(b, "B", "Not A Slug!", "")
    board_service.update_board(b, "Bee", "bee", "buzz")
    assert board_service.get_board("bee").name == "Bee"
