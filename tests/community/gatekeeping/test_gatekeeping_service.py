"""Spam at the door through the services, on SQLite and PostgreSQL: watched words, the
copy check, the new-account link rule beside the level gate, holding and deciding."""

import threading

import pytest
from gate_world import (
    held_rows,
    level_up,
    notices,
    outbox_rows,
    posts_saying,
    screens_on,
    watch,
)
from helpers import make_board, make_thread, make_user
from sqlalchemy import select, update

from community.accounts.models import User
from community.circles import service as circles
from community.circles import threads as circle_threads
from community.forum import service as forum
from community.forum.models import Board, Thread
from community.gatekeeping import queue
from community.ideas import service as ideas
from community.ideas.models import Idea
from community.kernel.database import transaction
from community.kernel.errors import HeldForApproval, ValidationError
from community.kernel.extensions import db


@pytest.fixture
def gate(ctx):
    screens_on(ctx)
    return ctx


def test_a_blocked_word_refuses_the_post_and_names_no_word(gate):
    staff = make_user(role="staff")
    watch(staff, "代购", "block")
    watch(staff, "scam", "block")
    thread = make_thread()
    fan = make_user()
    for title, body in (("Hello", "专业代购，私聊"), ("Total SCAM inside", "see title")):
        with pytest.raises(ValidationError) as refused:
            forum.create_thread(thread.board, fan, title, body)
        assert refused.value.code == "blocked_word"
        assert "代购" not in refused.value.message and "scam" not in refused.value.message.lower()
    with pytest.raises(ValidationError):
        forum.reply(thread, fan, "a scam")
    assert posts_saying("代购") == 0 and held_rows() == []
    # Staff's words bind staff too.
    with pytest.raises(ValidationError):
        forum.reply(thread, staff, "no scam here")


def test_a_replace_word_is_written_replaced(gate):
    staff = make_user(role="staff")
    watch(staff, "傻瓜", "replace", "**")
    watch(staff, "idiot", "replace", "friend")
    thread = make_thread()
    post = forum.reply(thread, make_user(), "You idiot, 你这个傻瓜")
    assert post.body == "You friend, 你这个**" and "傻瓜" not in post.body_html
    edited = forum.edit_post(post, post.author, "still an IDIOT")
    assert edited.body == "still an friend"


def test_a_held_reply_is_nobodys_until_approved_then_everything_follows(gate):
    staff = make_user(role="staff")
    watch(staff, "加微信", "hold")
    owner = make_user()
    thread = make_thread(author=owner)
    fan = make_user()
    outbox_before, notices_before = outbox_rows(), len(notices(owner.id))
    with pytest.raises(HeldForApproval) as held:
        forum.reply(thread, fan, "好价出手办 加微信 abc123 @" + owner.username, "tok-1")
    # Sent again (a double click): the same hold, not a second one.
    with pytest.raises(HeldForApproval) as again:
        forum.reply(thread, fan, "好价出手办 加微信 abc123 @" + owner.username, "tok-1")
    assert again.value.held_id == held.value.held_id
    [row] = held_rows("pending")
    assert (row.reasons, row.matched, row.kind) == ("words", "加微信", "reply")
    thread = db.session.get(Thread, thread.id, populate_existing=True)
    assert thread.reply_count == 0 and posts_saying("abc123") == 0
    assert outbox_rows() == outbox_before and len(notices(owner.id)) == notices_before
    assert [h.id for h in queue.authors_posts(fan)] == [row.id]

    outcome = queue.decide([row.id], staff, approve=True)
    assert outcome.done == [row.id] and not outcome.failed
    db.session.expire_all()
    thread = db.session.get(Thread, thread.id)
    assert thread.reply_count == 1 and posts_saying("abc123") == 1
    assert outbox_rows() > outbox_before
    assert {n.kind for n in notices(owner.id)} >= {"reply"}
    [approved] = notices(fan.id, "post_approved")
    assert approved.post_id == held_rows()[0].post_id
    # Deciding again changes nothing.
    assert queue.decide([row.id], staff, approve=False).skipped == [row.id]
    assert posts_saying("abc123") == 1


def test_a_rejected_post_is_never_written_and_its_author_is_told(gate):
    staff = make_user(role="staff")
    watch(staff, r"v[i1]agra", "hold", is_regex=True)
    board, fan = make_board(), make_user()
    with pytest.raises(HeldForApproval):
        forum.create_thread(board, fan, "Deals", "cheap V1AGRA here")
    [row] = held_rows()
    assert queue.decide([row.id], staff, approve=False, note="Not here, please.").done == [row.id]
    assert posts_saying("V1AGRA") == 0
    db.session.expire_all()
    assert db.session.get(Board, board.id).thread_count == 0
    [told] = notices(fan.id, "post_rejected")
    assert (told.title, told.detail) == ("Deals", "Not here, please.")


def test_a_new_accounts_first_posts_with_links_wait_and_the_level_gate_still_comes_first(gate):
    thread = make_thread()
    fan = make_user()
    link = "see [my shop](https://shop.example/x)"
    with pytest.raises(HeldForApproval):
        forum.reply(thread, fan, link)
    assert held_rows()[0].reasons == "links"
    forum.reply(thread, fan, "First words, no links.")  # plain text goes straight up
    forum.reply(thread, fan, "Second words, still none.")
    assert forum.reply(thread, fan, link).body == link  # two posts in: no longer new
    # Staff are never held.
    assert forum.reply(thread, make_user(role="staff"), link).body == link
    # Below the level for links a new account is refused, as before, not held.
    gate.config["LINKS_MIN_LEVEL"] = 2
    with pytest.raises(ValidationError) as refused:
        forum.reply(thread, make_user(), link)
    assert refused.value.code == "level_too_low"
    assert len(held_rows()) == 1
    # A new account levelled up (points from votes and check-ins, no posts) is held.
    with pytest.raises(HeldForApproval):
        forum.reply(thread, level_up(make_user()), link)


def test_copy_paste_flooding_is_refused_across_threads(gate):
    fan, board = make_user(), make_board()
    text = "Selling spare prototype figures, message me for photos and prices, ship anywhere!"
    first = make_thread(board=board)
    second = make_thread(board=board)
    forum.reply(first, fan, text)
    forum.reply(second, fan, text.upper() + "!!")
    with pytest.raises(ValidationError) as refused:
        forum.create_thread(board, fan, "Spare figures", "  " + text.replace(",", ";"))
    assert refused.value.code == "copy_flood" and "2" in refused.value.message
    forum.reply(first, fan, "Something else entirely: the paint on mine chipped at the base.")
    # Staff are never stopped.
    staff = make_user(role="staff")
    for _ in range(3):
        forum.reply(first, staff, text)


def test_ideas_and_circle_threads_are_held_and_published_on_approval(gate):
    staff = make_user(role="staff")
    watch(staff, "外挂", "hold")
    board = make_board()
    fan = level_up(make_user())
    with pytest.raises(HeldForApproval):
        ideas.propose(board, fan, "A new 外挂 mode for the app", "Please add it to everything.")
    circle = circles.create_circle(fan, "Riders", "riders", "Ride together.", "interest", None,
                                   "open")
    with pytest.raises(HeldForApproval):
        circle_threads.create_thread(circle, fan, "外挂 meetup", "Bring your own.")
    assert db.session.scalar(select(Idea.id)) is None
    assert circle_threads.circle_threads(circle, fan).items == []
    outcome = queue.decide([h.id for h in held_rows()], staff, approve=True)
    assert len(outcome.done) == 2 and not outcome.failed
    db.session.expire_all()
    idea = db.session.scalar(select(Idea))
    assert idea.title == "A new 外挂 mode for the app" and idea.author_id == fan.id
    assert [t.title for t in circle_threads.circle_threads(circle, fan).items] == ["外挂 meetup"]


def test_a_post_that_can_no_longer_be_written_stays_waiting(gate):
    staff = make_user(role="staff")
    watch(staff, "hold-me", "hold")
    thread = make_thread()
    with pytest.raises(HeldForApproval):
        forum.reply(thread, make_user(), "please hold-me")
    with transaction():
        db.session.execute(update(Thread).where(Thread.id == thread.id).values(locked=True))
    [row] = held_rows()
    outcome = queue.decide([row.id], staff, approve=True)
    assert outcome.done == [] and outcome.failed[0][0] == row.id
    db.session.expire_all()
    assert held_rows("pending")[0].id == row.id


def test_an_edit_cannot_bring_in_a_word_that_needs_approval(gate):
    staff = make_user(role="staff")
    watch(staff, "加微信", "hold")
    thread = make_thread()
    post = forum.reply(thread, make_user(), "Nice photos.")
    with pytest.raises(ValidationError) as refused:
        forum.edit_post(post, post.author, "Nice photos. 加微信 for more")
    assert refused.value.code == "needs_approval"


def test_two_staff_approving_the_same_batch_at_once_publish_each_post_once(app):
    with app.app_context():
        screens_on(app)
        staff = [make_user(role="staff").id, make_user(role="staff").id]
        watch(_user(staff[0]), "hold-me", "hold")
        thread = make_thread()
        fans = [make_user() for _ in range(6)]
        for n, fan in enumerate(fans):
            with pytest.raises(HeldForApproval):
                forum.reply(thread, fan, f"number {n} hold-me")
        ids = [h.id for h in held_rows()]
        thread_id = thread.id
    barrier, results, errors = threading.Barrier(2), {}, []

    def approve(staff_id):
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                results[staff_id] = queue.decide(ids, _user(staff_id), approve=True)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=approve, args=(s,)) for s in staff]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    done = sorted(results[staff[0]].done + results[staff[1]].done)
    skipped = sorted(results[staff[0]].skipped + results[staff[1]].skipped)
    assert done == ids and skipped == ids
    assert not results[staff[0]].failed and not results[staff[1]].failed
    with app.app_context():
        assert posts_saying("hold-me") == 6
        assert db.session.get(Thread, thread_id).reply_count == 6
        assert sum(len(notices(f.id, "post_approved")) for f in fans) == 6


def _user(user_id):
    return db.session.get(User, user_id)


def test_a_form_sent_again_after_its_post_was_decided_writes_nothing_new(gate):
    staff = make_user(role="staff")
    thread, fan = make_thread(), make_user()
    link = "my [shop](https://shop.example)"
    for token in ("approve-me", "reject-me"):
        with pytest.raises(HeldForApproval):
            forum.reply(thread, fan, link + token, token)
    approved, rejected = held_rows()
    queue.decide([approved.id], staff, approve=True)
    queue.decide([rejected.id], staff, approve=False)
    again = forum.reply(thread, fan, link + "approve-me", "approve-me")
    assert again.id == held_rows()[0].post_id
    with pytest.raises(ValidationError) as refused:
        forum.reply(thread, fan, link + "reject-me", "reject-me")
    assert refused.value.code == "form_used"
    assert posts_saying("shop.example") == 1
