"""Notifications written by listeners on the domain signals, and reading them."""

from datetime import timedelta

import pytest
from crowds import make_fans
from helpers import make_board, make_thread, make_user
from querycount import counting
from sqlalchemy import func, select, update

from community.accounts import follows
from community.forum import service as forum
from community.ideas import service as ideas
from community.ideas import statuses
from community.kernel import signals
from community.kernel.database import transaction, utcnow
from community.kernel.extensions import db
from community.notifications import service
from community.notifications.fanout import mentioned_names
from community.notifications.models import Notification
from community.rounds import service as rounds
from community.rounds.models import Round


def _idea(author=None, board=None, title="Longer battery life"):
    return ideas.propose(board or make_board(), author or make_user(), title, "Please.")


def _notes(user, kind=None):
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalars(stmt.order_by(Notification.id)).all()


def _count(**where):
    stmt = select(func.count(Notification.id))
    for name, value in where.items():
        stmt = stmt.where(getattr(Notification, name) == value)
    return db.session.scalar(stmt)


class StatementCounter:
    def __init__(self, engine, needle):
        self.needle, self._counting = needle, counting()

    def __enter__(self):
        self._seen = self._counting.__enter__()
        return self

    def __exit__(self, *exc):
        self._counting.__exit__(*exc)

    @property
    def n(self):
        return sum(statement.startswith(self.needle) for statement in self._seen)


def test_a_reply_notifies_the_threads_author_with_an_excerpt(ctx):
    author, replier = make_user(), make_user()
    thread = make_thread(author=author, title="Sauna test")
    post = forum.reply(thread, replier, "It **survives** at 60 °C.")
    [note] = _notes(author)
    assert (note.kind, note.actor_id, note.post_id, note.thread_id) == ("reply", replier.id, post.id, thread.id)
    assert note.title == "Sauna test" and note.excerpt == "It survives at 60 °C."
    assert note.read_at is None and note.idea_id is None
    forum.reply(thread, author, "Replying to my own thread")
    assert len(_notes(author)) == 1 and _notes(replier) == []


def test_mentions_notify_existing_users_once_and_never_yourself(ctx):
    author, li, wang, thread_author = make_user("mentioner"), make_user("LiLei"), make_user("wang"), make_user()
    thread = make_thread(author=thread_author)
    forum.reply(thread, author, "@lilei and @LiLei again, @wang, @nobody, @mentioner, "
                                "mail@wang.example and `@wang` in code")
    assert [n.kind for n in _notes(li)] == ["mention"]
    assert [n.kind for n in _notes(wang)] == ["mention"]
    assert _notes(author) == []
    # Mentioning the thread's author in a reply: the reply notice is the one notice.
    forum.reply(thread, author, "hey @" + thread_author.username)
    assert [n.kind for n in _notes(thread_author)] == ["reply", "reply"]


def test_mention_parsing():
    assert mentioned_names("@a_b-c, @Xy! (@zz) x@no a/@no @李雷") == ["a_b-c", "xy", "zz", "李雷"]
    assert mentioned_names("```\n@code\n``` @ok") == ["ok"]
    assert mentioned_names("谢谢@李雷 的建议") == ["李雷"]


def test_mentions_in_an_opening_post_link_to_the_post(ctx):
    li = make_user("li")
    idea = ideas.propose(make_board(), make_user(), "Ping test idea", "Hello @li")
    post = forum.first_post(idea.thread)
    [note] = _notes(li)
    assert (note.kind, note.thread_id, note.post_id) == ("mention", idea.thread_id, post.id)
    forum.edit_post(post, idea.author, "Hello again @li")  # edits notify nobody
    assert len(_notes(li)) == 1


def test_no_notification_or_follow_when_the_reply_rolls_back(ctx):
    author, replier = make_user(), make_user()
    idea = _idea(author=author)
    make_user("watcher")

    seen = []

    def boom(sender, **kwargs):
        seen.append(_count())
        raise RuntimeError("the cause fails after the listeners ran")

    with signals.post_created.connected_to(boom), pytest.raises(RuntimeError):
        forum.reply(idea.thread, replier, "Me too, @watcher")
    assert seen == [2]  # the reply to the author and the mention were written, then undone
    assert _count() == 0
    assert not follows.is_following(replier, "idea", idea.id)
    db.session.refresh(idea.thread)
    assert idea.thread.reply_count == 0


def test_replying_on_an_idea_follows_it_and_notifies_its_author(ctx):
    author, replier = make_user(), make_user()
    idea = _idea(author=author)
    forum.reply(idea.thread, replier, "Yes please")
    assert follows.is_following(replier, "idea", idea.id)
    [note] = _notes(author)
    assert note.kind == "reply" and note.idea_id == idea.id


def test_proposing_and_voting_follow_the_idea_and_unvoting_keeps_it(ctx):
    author, voter = make_user(), make_user()
    idea = _idea(author=author)
    assert follows.is_following(author, "idea", idea.id)
    assert not follows.is_following(voter, "idea", idea.id)
    ideas.vote(idea.id, voter)
    ideas.unvote(idea.id, voter)
    assert follows.is_following(voter, "idea", idea.id)


def test_a_new_idea_notifies_the_authors_followers(ctx):
    author, fan, other = make_user(), make_user(), make_user()
    follows.follow(fan, "user", author.id)
    idea = _idea(author=author)
    [note] = _notes(fan)
    assert (note.kind, note.actor_id, note.idea_id, note.title) == ("new_idea", author.id, idea.id, idea.title)
    assert _notes(other) == [] and _notes(author) == []


def test_status_change_and_response_reach_followers_but_not_the_actor(ctx):
    author, voter, staff = make_user(), make_user(), make_user(role="staff")
    idea = _idea(author=author)
    ideas.vote(idea.id, voter)
    ideas.vote(idea.id, staff)  # staff follow too, and still hear nothing of their own change
    change = statuses.change_status(idea.id, staff, "planned", "We are **on it**.")
    for person in (author, voter):
        [note] = _notes(person)
        assert (note.kind, note.detail, note.excerpt) == ("idea_status", "planned", "We are on it.")
        assert (note.target_type, note.target_id, note.actor_id) == ("status_change", change.id, staff.id)
    assert _notes(staff) == []
    statuses.change_status(idea.id, staff, "planned", "Still planned, first prototypes soon.")
    assert [n.kind for n in _notes(voter)] == ["idea_status", "idea_response"]


def test_fan_out_to_many_followers_is_one_statement(ctx):
    idea, staff = _idea(), make_user(role="staff")
    people = make_fans([f"follower{i}" for i in range(200)])
    with transaction():
        for person in people:
            follows.follow_quietly(person.id, "idea", idea.id)
    with StatementCounter(db.engine, "INSERT INTO notifications") as counter:
        statuses.change_status(idea.id, staff, "under_review", "Looking into it.")
    assert counter.n == 1
    assert _count(kind="idea_status") == 201  # the 200 and the author


def test_merging_notifies_author_and_followers_and_moves_followers(ctx):
    author, fan, staff, b_author = make_user(), make_user(), make_user(role="staff"), make_user()
    a, b = _idea(author=author), _idea(author=b_author, title="Battery for weeks")
    follows.follow(fan, "idea", a.id)
    follows.unfollow(author, "idea", a.id)  # the author hears of it anyway
    statuses.merge(a.id, b.id, staff, "Same thing.")
    for person in (author, fan):
        [note] = _notes(person)
        assert (note.kind, note.idea_id, note.target_id, note.detail) == ("idea_merged", a.id, b.id, b.title)
    assert follows.is_following(fan, "idea", b.id)
    assert not follows.is_following(author, "idea", b.id)
    assert _notes(staff) == [] and _notes(b_author) == []
    # Followers of A now hear of B's status changes.
    statuses.change_status(b.id, staff, "planned", "Coming.")
    assert [n.kind for n in _notes(fan)] == ["idea_merged", "idea_status"]


def test_a_round_opening_notifies_the_boards_followers(ctx):
    board, fan, staff, stranger = make_board(), make_user(), make_user(role="staff"), make_user()
    follows.follow(fan, "board", board.id)
    follows.follow(staff, "board", board.id)
    now = utcnow()
    round_ = rounds.create_round(board, staff, "What next?", "Tell **us**", now - timedelta(minutes=1),
                                 now + timedelta(days=1))
    [note] = _notes(fan)
    assert (note.kind, note.target_type, note.target_id, note.title, note.excerpt) == (
        "round_opened", "round", round_.id, "What next?", "Tell us")
    assert _notes(staff) == [] and _notes(stranger) == []


def test_accepted_round_ideas_notify_every_voter_once(ctx):
    board, staff, author = make_board(), make_user(role="staff"), make_user()
    voter, quitter, follower = make_user(), make_user(), make_user()
    now = utcnow()
    round_ = rounds.create_round(board, staff, "Next band", "", now - timedelta(hours=1), now + timedelta(days=1))
    idea = ideas.propose(board, author, "Sleep tracking", "b", round_id=round_.id)
    second = ideas.propose(board, make_user(), "Swim tracking", "b", round_id=round_.id)
    ideas.vote(second.id, voter)
    ideas.vote(idea.id, voter)
    ideas.vote(idea.id, quitter)
    follows.unfollow(quitter, "idea", idea.id)
    follows.follow(follower, "idea", idea.id)
    db.session.execute(update(Round).where(Round.id == round_.id).values(
        starts_at=utcnow() - timedelta(days=2), ends_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    rounds.close_round(round_.id)
    rounds.accept_ideas(round_.id, staff, [idea.id, second.id])
    assert sorted((n.kind, n.title) for n in _notes(voter)) == [
        ("round_accepted", "Sleep tracking"), ("round_accepted", "Swim tracking")]
    [note] = _notes(quitter)
    assert (note.kind, note.idea_id, note.title, note.detail) == (
        "round_accepted", idea.id, "Sleep tracking", "Next band")
    assert note.actor_id == staff.id and "Next band" in note.excerpt
    # Followers who did not vote hear of the status change; the author did not vote.
    assert [n.kind for n in _notes(follower)] == ["idea_status"]
    assert [n.kind for n in _notes(author)] == ["idea_status"]


def test_unread_count_mark_read_and_the_cap(ctx):
    author = make_user()
    thread = make_thread(author=author)
    replier = make_user()
    for n in range(3):
        forum.reply(thread, replier, f"reply {n}")
    assert service.unread_count(author.id) == 3
    page, unread = service.open_page(author, per_page=2)
    assert [n.excerpt for n in page.items] == ["reply 2", "reply 1"]  # newest first
    assert unread == {n.id for n in page.items} and page.has_next
    assert service.unread_count(author.id) == 1
    older, unread = service.open_page(author, per_page=2, before=int(page.next_cursor))
    assert [n.excerpt for n in older.items] == ["reply 0"] and not older.has_next
    assert service.unread_count(author.id) == 0
    again, unread = service.open_page(author, per_page=2)
    assert unread == set() and len(again.items) == 2
    # Another user's ids are not marked by mark_read.
    forum.reply(thread, replier, "one more")
    other = make_user()
    assert service.mark_read(other, [n.id for n in _notes(author)]) == 0
    assert service.mark_all_read(author) == 1
    with transaction():
        db.session.add_all(Notification(user_id=author.id, kind="reply") for _ in range(120))
    assert service.unread_count(author.id) == 100
    assert service.bell_label(service.unread_count(author.id)) == "99+"
    assert service.bell_label(7) == "7"
