import contextlib
import random
from datetime import timedelta

import pytest
from helpers import make_board, make_thread, make_user
from sqlalchemy import select, update

from community.accounts import service as accounts
from community.accounts.levels import LEVELS, level_for, progress
from community.engagement import checkin, leaderboards, ledger, medals
from community.engagement.models import CheckIn, PointEntry, UserMedal
from community.forum import moderation
from community.forum import service as forum
from community.ideas import service as ideas
from community.ideas import statuses
from community.kernel.database import transaction, utcnow
from community.kernel.errors import DomainError, ValidationError
from community.kernel.extensions import db


def points(user):
    return accounts.get_by_username(user.username).points


def kinds(user):
    return sorted(db.session.scalars(select(PointEntry.kind).where(PointEntry.user_id == user.id)))


def test_levels_are_a_pure_function_of_points():
    assert len(LEVELS) >= 10 and all(str(level) for level in LEVELS)
    assert level_for(0).number == 1 and level_for(19).number == 1 and level_for(20).number == 2
    assert level_for(10**9).number == LEVELS[-1].number
    level, following, percent = progress(40)
    assert (level.number, following.number, percent) == (2, 3, 50)


def test_taking_part_earns_points(ctx):
    board, fan, other = make_board(), make_user(), make_user()
    thread = forum.create_thread(board, fan, "Hello", "body")
    forum.reply(thread, other, "hi back")
    idea = ideas.propose(board, fan, "An idea of mine", "b")
    ideas.vote(idea.id, other)
    forum.set_like(forum.first_post(thread), other, True)
    assert points(fan) == 5 + 10 + 2 + 1  # thread, idea, a vote and a like received
    assert points(other) == 2 + 1  # a reply and a vote cast
    assert kinds(fan) == ["idea", "like_received", "thread", "vote_received"]


def test_nothing_from_your_own_votes_and_likes(ctx):
    fan = make_user()
    thread = make_thread(author=fan)
    idea = ideas.propose(make_board(), fan, "Vote for myself", "b")
    before = points(fan)
    ideas.vote(idea.id, fan)
    forum.set_like(forum.first_post(thread), fan, True)
    assert points(fan) == before


def test_daily_caps(ctx):
    fan, board = make_user(), make_board()
    thread = make_thread(board)
    for i in range(15):
        forum.reply(thread, fan, f"reply {i}")
    assert points(fan) == 20  # 2 points a reply, at most 20 a day
    for i in range(12):
        ideas.vote(ideas.propose(board, make_user(), f"Someone's idea {i}", "b").id, fan)
    assert points(fan) == 20 + 10  # votes cast are capped at 10 a day


def test_withdrawn_votes_and_likes_give_points_back(ctx):
    author, fan = make_user(), make_user()
    idea = ideas.propose(make_board(), author, "Withdraw on me", "b")
    post = forum.first_post(make_thread(author=author))
    base = points(author)
    ideas.vote(idea.id, fan)
    forum.set_like(post, fan, True)
    assert points(author) == base + 3 and points(fan) == 1
    ideas.unvote(idea.id, fan)
    forum.set_like(post, fan, False)
    assert points(author) == base and points(fan) == 0


def test_hidden_content_gives_points_back_and_restored_earns_again(ctx):
    fan, staff = make_user(), make_user(role="staff")
    thread = make_thread(author=fan)
    reply = forum.reply(make_thread(), fan, "a reply")
    assert points(fan) == 7
    moderation.set_thread_hidden(thread, staff, True, "spam")
    moderation.set_post_hidden(reply, staff, True, "spam")
    assert points(fan) == 0
    moderation.set_thread_hidden(thread, staff, False)
    assert points(fan) == 5
    forum.delete_post(forum.first_post(thread), fan)
    assert points(fan) == 0


def test_accepted_ideas_earn_once(ctx):
    author, staff = make_user(), make_user(role="staff")
    idea = ideas.propose(make_board(), author, "Accept me please", "b")
    statuses.change_status(idea.id, staff, "planned", "yes")
    statuses.change_status(idea.id, staff, "in_progress", "building")
    statuses.change_status(idea.id, staff, "planned", "back to planned")
    statuses.change_status(idea.id, staff, "shipped", "out")
    assert points(author) == 10 + 20 + 50
    assert {m.medal for m in medals.medals_of(author.id)} >= {"first_idea", "first_shipped"}


def test_check_in_once_a_day_with_streaks(ctx):
    fan = make_user()
    assert checkin.check_in(fan) == (True, 1)
    assert checkin.check_in(fan) == (False, 1)
    assert points(fan) == 2
    today = checkin.today()
    db.session.execute(update(CheckIn).where(CheckIn.user_id == fan.id)
                       .values(day=today - timedelta(days=1)))
    db.session.commit()
    assert checkin.check_in(fan) == (True, 2)  # yesterday's streak carries on
    done_today, current, best = checkin.streaks(fan.id)
    assert done_today and current == 2 and best == 2
    calendar = [day for week in checkin.month(fan.id) for day, done in week if done]
    assert today in calendar


def test_streak_medals(ctx):
    fan = make_user()
    today = checkin.today()
    with transaction():
        for n in range(6):
            db.session.add(CheckIn(user_id=fan.id, day=today - timedelta(days=6 - n), streak=n + 1))
    assert checkin.check_in(fan) == (True, 7)
    assert "streak_7" in {m.medal for m in medals.medals_of(fan.id)}


def test_founding_fans_and_staff_awards(ctx):
    first, staff = make_user(), make_user(role="staff")
    assert "founding_fan" in {m.medal for m in medals.medals_of(first.id)}
    with pytest.raises(ValidationError):
        medals.award_by_staff(first, staff, "community_hero", "  ")
    assert medals.award_by_staff(first, staff, "community_hero", "Helped everyone")
    assert not medals.award_by_staff(first, staff, "community_hero", "again")
    hero = db.session.get(UserMedal, (first.id, "community_hero"))
    assert hero.reason == "Helped everyone" and hero.awarded_by_id == staff.id


def test_leaderboards_per_board_and_site(ctx):
    a, b = make_board(), make_board()
    busy, quiet = make_user(), make_user()
    forum.create_thread(a, busy, "One", "b")
    forum.create_thread(a, busy, "Two", "b")
    forum.create_thread(b, quiet, "Three", "b")
    assert [(u.id, p) for u, p in leaderboards.top("week")][:2] == [(busy.id, 10), (quiet.id, 5)]
    assert [(u.id, p) for u, p in leaderboards.top("month", board_id=b.id)] == [(quiet.id, 5)]


def test_links_need_a_level(app):
    with app.app_context():
        app.config["LINKS_MIN_LEVEL"] = 2
        fan, staff = make_user(), make_user(role="staff")
        thread = make_thread()
        with pytest.raises(ValidationError) as caught:
            forum.reply(thread, fan, "see [my shop](https://spam.example)")
        assert caught.value.code == "level_too_low"
        with pytest.raises(ValidationError):
            forum.reply(thread, fan, "![x](https://spam.example/x.png)")
        with pytest.raises(ValidationError):  # a bare URL is a link too (it renders as one)
            forum.reply(thread, fan, "look at https://spam.example now")
        forum.reply(thread, fan, "plain words are fine, and so is @someone or example.com")
        forum.reply(thread, staff, "[staff may](https://example.com)")
        db.session.execute(update(type(fan)).where(type(fan).id == fan.id).values(points=20))
        db.session.commit()
        forum.reply(thread, accounts.get_by_username(fan.username), "[now ok](https://example.com)")


def test_recompute_finds_nothing_after_random_activity(ctx, runner):
    rng = random.Random(7)
    staff = make_user(role="staff")
    fans = [make_user() for _ in range(6)]
    board = make_board()
    threads, all_ideas, posts = [], [], []
    for step in range(150):
        fan = rng.choice(fans)
        # Voting on a shipped idea and the like are refused: nothing is written.
        with contextlib.suppress(DomainError):
            _random_step(rng, step, fan, staff, board, threads, all_ideas, posts)
    result = runner.invoke(args=["engagement", "recompute"])
    assert "Nothing to change" in result.output, result.output
    # Tamper with the ledger: recompute puts it right.
    victim = fans[0]
    db.session.execute(update(type(victim)).where(type(victim).id == victim.id).values(points=9999))
    db.session.commit()
    result = runner.invoke(args=["engagement", "recompute"])
    assert "Fixed" in result.output
    assert points(victim) == sum(db.session.scalars(
        select(PointEntry.points).where(PointEntry.user_id == victim.id)))
    assert "Nothing to change" in runner.invoke(args=["engagement", "recompute"]).output


def _random_step(rng, step, fan, staff, board, threads, all_ideas, posts):
    action = rng.randrange(9)
    if action == 0 or not threads:
        threads.append(forum.create_thread(board, fan, f"T{step}", "b"))
    elif action == 1:
        posts.append(forum.reply(rng.choice(threads), fan, f"r{step}"))
    elif action == 2:
        all_ideas.append(ideas.propose(board, fan, f"Idea at step {step}", "b"))
    elif action == 3 and all_ideas:
        ideas.vote(rng.choice(all_ideas).id, fan)
    elif action == 4 and all_ideas:
        ideas.unvote(rng.choice(all_ideas).id, fan)
    elif action == 5 and posts:
        forum.set_like(rng.choice(posts), fan, rng.random() < 0.7)
    elif action == 6 and posts:
        moderation.set_post_hidden(rng.choice(posts), staff, rng.random() < 0.6, "mod")
    elif action == 7 and all_ideas:
        statuses.change_status(rng.choice(all_ideas).id, staff,
                               rng.choice(["planned", "shipped", "open"]), "ok")
    elif action == 8:
        checkin.check_in(fan)


def test_points_survive_ledger_rebuild(ctx):
    fan = make_user()
    forum.create_thread(make_board(), fan, "Rebuild me", "b")
    db.session.execute(PointEntry.__table__.delete())
    db.session.commit()
    with transaction():
        changes = ledger.recompute()
    assert changes["entries"] >= 1
    assert points(fan) == 5
    assert utcnow()
