"""Circle threads are forum threads: members post, the forum asks the circle who reads,
circle moderators moderate (in the forum's log), members alone hear about them."""

import pytest
from circle_factories import make_circle, make_fan
from helpers import make_board, make_thread, make_user
from sqlalchemy import func, select

from community.accounts import follows
from community.circles import moderation, service, threads
from community.circles.models import Circle, CircleCard, CircleMember
from community.forum import service as forum
from community.forum.models import Board, ModerationAction
from community.ideas import service as ideas
from community.kernel.errors import Forbidden, NotFound, ValidationError
from community.kernel.extensions import db
from community.notifications import feed
from community.notifications.models import Activity, Notification


def _notices(user, kind=None):
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalars(stmt).all()


def test_members_post_threads_through_the_forum(ctx):
    owner, fan = make_fan(), make_fan()
    circle = make_circle(owner, members=[fan])
    thread = threads.create_thread(circle, fan, "Saturday ride?", "Who is in?")
    assert (thread.kind, thread.listed) == ("circle", False)
    board = db.session.get(Board, thread.board_id)
    assert (board.slug, board.listed) == (threads.BOARD_SLUG, False)
    reply = forum.reply(thread, owner, "Me!")
    assert reply.position == 1
    assert db.session.get(Circle, circle.id).thread_count == 1
    assert [t.id for t in threads.circle_threads(circle, fan).items] == [thread.id]
    with ctx.test_request_context():
        assert threads.thread_url(thread) == f"/circles/{circle.slug}/t/{thread.id}"


def test_non_members_can_neither_open_nor_reply(ctx):
    circle = make_circle()
    outsider = make_fan()
    with pytest.raises(Forbidden):
        threads.create_thread(circle, outsider, "Hi", "Let me in")
    thread = threads.create_thread(circle, db.session.get(CircleMember, (circle.id, circle.owner_id)).user,
                                   "Open to read", "Anyone reads an open circle.")
    assert forum.get_thread(thread.id, outsider).id == thread.id  # open: readable
    with pytest.raises(Forbidden) as error:
        forum.reply(thread, outsider, "drive-by")
    assert error.value.code == "not_a_member"
    assert db.session.get(type(thread), thread.id).reply_count == 0


@pytest.mark.parametrize("visibility", ["approval", "private"])
def test_closed_circle_threads_are_not_found_by_outsiders(ctx, visibility):
    member = make_fan()
    circle = make_circle(visibility=visibility, members=[member])
    thread = threads.create_thread(circle, member, "Members only", "secret plans")
    post = forum.reply(thread, member, "more secrets")
    for outsider in (make_fan(), make_user_staff(), None):
        with pytest.raises(NotFound):
            forum.get_thread(thread.id, outsider)
        with pytest.raises(NotFound):
            forum.get_post(post.id, outsider)
    assert forum.get_post(post.id, member).id == post.id


def make_user_staff():
    return make_user(role="staff")


def test_circle_threads_stay_off_boards_and_profiles(ctx):
    member = make_fan()
    circle = make_circle(visibility="private", members=[member])
    public = make_thread(author=member, title="Public one")
    secret = threads.create_thread(circle, member, "Private one", "x")
    forum.reply(secret, member, "private reply")
    forum.reply(public, member, "public reply")
    staff = make_user_staff()
    for viewer in (member, staff, None):
        assert [t.id for t in forum.user_threads(member, viewer, 1, 20).items] == [public.id]
        assert [p.thread_id for p in forum.user_replies(member, viewer, 1, 20).items] == [public.id]
    board = db.session.get(Board, secret.board_id)
    assert forum.board_threads(board, staff, 20).items == []


def test_leaving_ends_access_at_once(ctx):
    member = make_fan()
    circle = make_circle(visibility="private", members=[member])
    thread = threads.create_thread(circle, member, "Soon gone", "x")
    service.leave(circle, member)
    with pytest.raises(NotFound):
        forum.get_thread(thread.id, member)


def test_circle_moderators_moderate_in_the_forums_log(ctx):
    owner, mod, fan = make_fan(), make_fan(), make_fan()
    circle = make_circle(owner, members=[mod, fan])
    service.set_moderator(circle, owner, mod.id)
    thread = threads.create_thread(circle, fan, "Rude thread", "x")
    post = forum.reply(thread, fan, "rude reply")
    with pytest.raises(Forbidden):
        moderation.thread_action(circle, fan, thread.id, "lock")
    moderation.thread_action(circle, mod, thread.id, "lock", "cool down")
    moderation.set_post_hidden(circle, mod, post.id, True, "rude")
    moderation.thread_action(circle, mod, thread.id, "hide")
    log = db.session.scalars(select(ModerationAction).order_by(ModerationAction.id)).all()
    assert [(a.actor_id, a.action, a.target_type) for a in log] == [
        (mod.id, "lock", "thread"), (mod.id, "hide", "post"), (mod.id, "hide", "thread")]
    assert threads.circle_threads(circle, fan).items == []  # hidden from members
    assert [t.id for t in threads.circle_threads(circle, mod).items] == [thread.id]
    other = make_circle(mod)
    with pytest.raises(NotFound):  # a thread of another circle
        moderation.thread_action(other, mod, thread.id, "unlock")


def test_replies_and_mentions_reach_current_members_only(ctx):
    owner, fan = make_fan("circleowner"), make_fan("circlefan")
    outsider = make_fan("outsiderfan")
    circle = make_circle(owner, visibility="private", members=[fan])
    thread = threads.create_thread(circle, owner, "Plans", "Hi @circlefan and @outsiderfan")
    assert [n.kind for n in _notices(fan)] == ["mention"]
    assert _notices(outsider) == []
    forum.reply(thread, fan, "Sounds good @outsiderfan")
    assert [n.kind for n in _notices(owner)] == ["reply"]
    assert _notices(outsider) == []
    # The owner's notices about the circle go when they are no longer in it.
    service.transfer_ownership(circle, owner, fan.id)
    service.leave(circle, owner)
    assert _notices(owner) == []
    forum.reply(thread, fan, "Anyone?")
    assert _notices(owner) == []  # not a member: no reply notice either


def test_feeds_and_public_notices_never_carry_circle_posts(ctx):
    member, follower = make_fan(), make_fan()
    follows.follow(follower, "user", member.id)
    circle = make_circle(visibility="approval", members=[member])
    thread = threads.create_thread(circle, member, "Circle news", "for members")
    forum.reply(thread, member, "reply")
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0
    assert feed.feed_page(follower, 20).items == []


def test_sharing_needs_a_visible_target(ctx):
    member = make_fan()
    circle = make_circle(members=[member])
    thread = threads.create_thread(circle, member, "Look", "x")
    idea = ideas.propose(make_board(), member, "Share this idea", "b")
    post = threads.share(thread.id, member, "idea", idea.id, "What do you think?")
    assert threads.cards_of([post.id]) == {post.id: ("idea", idea.id)}
    with pytest.raises(ValidationError) as error:
        threads.share(thread.id, member, "idea", 999_999)
    assert error.value.code == "share_not_visible"
    with pytest.raises(ValidationError):
        threads.share(thread.id, member, "poem", idea.id)
    assert db.session.scalar(select(func.count()).select_from(CircleCard)) == 1
    assert db.session.get(type(thread), thread.id).reply_count == 1
