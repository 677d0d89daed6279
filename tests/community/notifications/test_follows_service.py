"""Following ideas, boards and people."""

import pytest
from helpers import make_board, make_user
from sqlalchemy import func, select

from community.accounts import follows
from community.accounts.follows import Follow
from community.forum import moderation
from community.ideas import service as ideas
from community.kernel.database import transaction
from community.kernel.errors import NotFound, ValidationError
from community.kernel.extensions import db


def _idea(author=None):
    return ideas.propose(make_board(), author or make_user(), "Longer battery life", "Please.")


def test_follow_and_unfollow_are_idempotent(ctx):
    fan, board, other = make_user(), make_board(), make_user()
    assert follows.follow(fan, "board", board.id).id == board.id
    follows.follow(fan, "board", board.id)
    follows.follow(fan, "user", other.id)
    assert follows.is_following(fan, "board", board.id)
    assert follows.is_following(fan, "user", other.id)
    assert not follows.is_following(other, "user", fan.id)
    assert follows.following_ids(fan, "board", [board.id, board.id + 1]) == {board.id}
    assert db.session.scalar(select(func.count()).select_from(Follow)) == 2
    follows.unfollow(fan, "board", board.id)
    follows.unfollow(fan, "board", board.id)
    assert not follows.is_following(fan, "board", board.id)


def test_following_yourself_is_refused(ctx):
    fan = make_user()
    with pytest.raises(ValidationError) as caught:
        follows.follow(fan, "user", fan.id)
    assert caught.value.code == "self_follow"
    with transaction():
        assert follows.follow_quietly(fan.id, "user", fan.id) is False
    assert not follows.is_following(fan, "user", fan.id)


@pytest.mark.parametrize(("target_type", "error"), [("idea", NotFound), ("board", NotFound),
                                                    ("user", NotFound), ("circle", ValidationError)])
def test_unknown_targets_are_refused(ctx, target_type, error):
    with pytest.raises(error):
        follows.follow(make_user(), target_type, 10_000)


def test_a_hidden_idea_can_only_be_followed_by_staff(ctx):
    idea, fan, staff = _idea(), make_user(), make_user(role="staff")
    moderation.set_thread_hidden(idea.thread, staff, True, "spam")
    with pytest.raises(NotFound):
        follows.follow(fan, "idea", idea.id)
    follows.follow(staff, "idea", idea.id)
    assert follows.is_following(staff, "idea", idea.id)


def test_followers_of_is_a_select_to_embed(ctx):
    idea = _idea()
    fans = [make_user() for _ in range(3)]
    for fan in fans:
        follows.follow(fan, "idea", idea.id)
    followers = follows.followers_of("idea", idea.id)
    assert set(db.session.scalars(followers)) == {idea.author_id, *(f.id for f in fans)}
    counted = select(func.count()).select_from(followers.subquery())
    assert db.session.scalar(counted) == 4


def test_follow_quietly_writes_inside_the_callers_transaction(ctx):
    fan, board = make_user(), make_board()
    with pytest.raises(RuntimeError), transaction():
        assert follows.follow_quietly(fan.id, "board", board.id) is True
        raise RuntimeError("the cause fails")
    assert not follows.is_following(fan, "board", board.id)
    with transaction():
        assert follows.follow_quietly(fan.id, "board", board.id) is True
        assert follows.follow_quietly(fan.id, "board", board.id) is False
    assert follows.is_following(fan, "board", board.id)


def test_copy_followers_skips_those_already_there(ctx):
    a, b = _idea(), _idea()
    fan, both = make_user(), make_user()
    follows.follow(fan, "idea", a.id)
    follows.follow(both, "idea", a.id)
    follows.follow(both, "idea", b.id)
    with transaction():
        follows.copy_followers("idea", a.id, b.id)
    assert set(db.session.scalars(follows.followers_of("idea", b.id))) == {
        b.author_id, a.author_id, fan.id, both.id}
