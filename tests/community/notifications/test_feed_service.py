"""The feed: what followed people, boards and ideas did, newest first, once each."""

from datetime import timedelta

from helpers import make_board, make_thread, make_user
from sqlalchemy import update

from community.accounts import follows
from community.forum import moderation
from community.forum import service as forum
from community.ideas import service as ideas
from community.ideas import statuses
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.notifications.feed import FEED_WINDOW, feed_page
from community.notifications.models import Activity
from community.rounds import service as rounds


def _feed(user, per_page=20, before=None):
    return [(a.kind, a.title) for a in feed_page(user, per_page, before).items]


def test_feed_shows_followed_people_boards_and_ideas_newest_first(ctx):
    me, friend, stranger, staff = make_user(), make_user(), make_user(), make_user(role="staff")
    board, elsewhere = make_board(), make_board()
    idea = ideas.propose(elsewhere, stranger, "Watched idea here", "b")
    follows.follow(me, "user", friend.id)
    follows.follow(me, "board", board.id)
    follows.follow(me, "idea", idea.id)

    make_thread(board=elsewhere, author=friend, title="Friend's thread")
    make_thread(board=board, author=stranger, title="On my board")
    make_thread(board=elsewhere, author=stranger, title="Not for me")
    forum.reply(idea.thread, friend, "Reached two ways, shown once")
    statuses.change_status(idea.id, staff, "planned", "Soon.")
    ideas.propose(board, friend, "Friend's idea on my board", "b")
    make_thread(board=board, author=me, title="My own thread")  # my own doings stay out
    now = utcnow()
    rounds.create_round(board, staff, "Round on my board", "", now - timedelta(minutes=1),
                        now + timedelta(days=1))

    assert _feed(me) == [
        ("round_opened", "Round on my board"),
        ("idea", "Friend's idea on my board"),
        ("idea_status", "Watched idea here"),
        ("reply", "Watched idea here"),
        ("thread", "On my board"),
        ("thread", "Friend's thread"),
        ("idea", "Watched idea here"),  # proposed before I followed it, still its story
    ]
    page = feed_page(me, per_page=4)
    assert page.has_next and len(page.items) == 4
    rest = feed_page(me, per_page=4, before=int(page.next_cursor))
    assert [a.title for a in rest.items] == ["On my board", "Friend's thread", "Watched idea here"]
    assert not rest.has_next
    assert _feed(make_user()) == []


def test_hidden_and_removed_posts_leave_the_feed(ctx):
    me, friend, staff = make_user(), make_user(), make_user(role="staff")
    follows.follow(me, "user", friend.id)
    thread = make_thread(author=friend, title="Busy thread")
    kept = forum.reply(thread, friend, "kept")
    hidden = forum.reply(thread, friend, "hidden")
    removed = forum.reply(thread, friend, "removed")
    forum.delete_post(removed, friend)
    moderation.set_post_hidden(hidden, staff, True, "rude")
    assert [a.post_id for a in feed_page(me, 20).items] == [kept.id, forum.first_post(thread).id]
    moderation.set_thread_hidden(thread, staff, True, "off topic")
    assert feed_page(me, 20).items == []
    moderation.set_thread_hidden(thread, staff, False, "fine after all")
    assert [a.post_id for a in feed_page(me, 20).items] == [kept.id, forum.first_post(thread).id]
    moderation.set_post_hidden(hidden, staff, False, "ok")
    assert len(feed_page(me, 20).items) == 3


def test_a_post_restored_in_a_hidden_thread_stays_off(ctx):
    me, friend, staff = make_user(), make_user(), make_user(role="staff")
    follows.follow(me, "user", friend.id)
    thread = make_thread(author=friend)
    post = forum.reply(thread, friend, "x")
    moderation.set_post_hidden(post, staff, True, "r")
    moderation.set_thread_hidden(thread, staff, True, "r")
    moderation.set_post_hidden(post, staff, False, "r")
    assert feed_page(me, 20).items == []


def test_merges_show_on_the_merged_ideas_feed(ctx):
    me, staff = make_user(), make_user(role="staff")
    a = ideas.propose(make_board(), make_user(), "Idea to be merged", "b")
    b = ideas.propose(make_board(), make_user(), "Idea that stays", "b")
    follows.follow(me, "idea", a.id)
    statuses.merge(a.id, b.id, staff)
    # Following A now means following B too, so B's own story joins the feed.
    item, *older = feed_page(me, 20).items
    assert [(a.kind, a.title) for a in older] == [("idea", "Idea that stays"),
                                                  ("idea", "Idea to be merged")]
    assert (item.kind, item.title, item.detail, item.target_id) == (
        "idea_merged", "Idea to be merged", "Idea that stays", b.id)


def test_the_feed_reads_only_its_window(ctx):
    me, friend = make_user(), make_user()
    follows.follow(me, "user", friend.id)
    make_thread(author=friend, title="Long ago")
    with transaction():
        db.session.execute(update(Activity).values(
            created_at=utcnow() - FEED_WINDOW - timedelta(hours=1)))
    assert _feed(me) == []
    make_thread(author=friend, title="Today")
    assert _feed(me) == [("thread", "Today")]
