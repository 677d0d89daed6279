from datetime import timedelta

import pytest
from helpers import make_board, make_user
from sqlalchemy import func, select

from community.forum import boards as board_service
from community.forum import moderation
from community.forum import service as forum
from community.forum.models import Post
from community.ideas import lists, service, statuses
from community.ideas.models import Idea, Vote
from community.ideas.ranking import hot_score
from community.kernel.database import utcnow
from community.kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from community.kernel.extensions import db
from community.moderation import service as sanctions_service


def _idea(board=None, author=None, title="Longer battery life", body="Please.", tags=()):
    return service.propose(board or make_board(), author or make_user(), title, body, tags=tags)


def test_propose_creates_an_unlisted_idea_thread(ctx):
    board, author = make_board(), make_user()
    service.set_board_tags(board, ["battery", "nfc"])
    idea = service.propose(board, author, "  NFC door cards  ", "Emulate **door** cards.",
                           tags=["nfc"])
    assert idea.title == "NFC door cards"
    assert idea.status == "open" and idea.votes == 0
    assert [t.name for t in idea.tags] == ["nfc"]
    assert idea.thread.kind == "idea" and not idea.thread.listed
    assert "<strong>door</strong>" in forum.first_post(idea.thread).body_html
    assert lists.count_ideas(board.id) == 1
    assert board_service.get_board(board.slug).thread_count == 0  # idea threads stay off the board list


@pytest.mark.parametrize(
    ("title", "tags", "field"),
    [("abcd", [], "title"), ("x" * 121, [], "title"), ("x" * 500, [], "title"),
     ("Fine title", ["unknown"], "tags"), ("Fine title", ["a", "b", "c", "d", "e", "f"], "tags")],
)
def test_bad_proposals_write_nothing(ctx, title, tags, field):
    board = make_board()
    service.set_board_tags(board, ["a", "b", "c", "d", "e", "f"])
    with pytest.raises(ValidationError) as caught:
        service.propose(board, make_user(), title, "body", tags=tags)
    assert caught.value.field == field
    assert db.session.scalar(select(func.count(Idea.id))) == 0
    assert db.session.scalar(select(func.count(Post.id))) == 0


def test_a_resubmitted_proposal_creates_one_idea(ctx):
    board, author = make_board(), make_user()
    a = service.propose(board, author, "Same idea twice", "b", submit_token="tok")
    b = service.propose(board, author, "Same idea twice", "b", submit_token="tok")
    assert a.id == b.id
    assert db.session.scalar(select(func.count(Idea.id))) == 1


def test_votes_are_idempotent_and_move_count_and_hot(ctx):
    idea = _idea()
    a, b = make_user(), make_user()
    hot0 = idea.hot
    assert service.vote(idea.id, a) == 1
    assert service.vote(idea.id, a) == 1
    assert service.vote(idea.id, b) == 2
    db.session.refresh(idea)
    # Exactly the Python rank (SQLite computes it in the vote's UPDATE, by that function).
    assert idea.hot == hot_score(2, idea.created_at)
    assert idea.hot > hot0
    assert service.unvote(idea.id, a) == 1
    assert service.unvote(idea.id, a) == 1
    db.session.refresh(idea)
    assert idea.hot == hot_score(1, idea.created_at)
    assert service.voted_ids(b, [idea.id]) == {idea.id}
    assert service.voted_ids(a, [idea.id]) == set()
    assert [v.user_id for v in service.voters(idea)] == [b.id]


def test_authors_may_vote_for_their_own(ctx):
    author = make_user()
    idea = _idea(author=author)
    assert service.vote(idea.id, author) == 1


def test_vote_errors(ctx):
    idea, fan, staff = _idea(), make_user(), make_user(role="staff")
    with pytest.raises(NotFound):
        service.vote(9999, fan)
    statuses.change_status(idea.id, staff, "declined", "Not for us.")
    with pytest.raises(Conflict) as caught:
        service.vote(idea.id, fan)
    assert caught.value.code == "voting_closed"
    troll = make_user()
    sanctions_service.ban_user(troll, staff, "spam")
    with pytest.raises(Forbidden):
        service.vote(_idea().id, troll)


def test_hot_decays_with_age():
    now = utcnow()
    assert hot_score(10, now) > hot_score(10, now - timedelta(days=1))
    assert hot_score(100, now - timedelta(hours=12.5)) == pytest.approx(hot_score(10, now), abs=1e-3)


def test_lists_sort_filter_and_count(ctx):
    board, other = make_board(), make_board()
    service.set_board_tags(board, ["battery"])
    fans = [make_user() for _ in range(3)]
    old = _idea(board, title="Old but popular", tags=["battery"])
    db.session.execute(db.update(Idea).where(Idea.id == old.id)
                       .values(created_at=utcnow() - timedelta(days=40)))
    db.session.commit()
    for fan in fans:
        service.vote(old.id, fan)
    fresh = _idea(board, title="Fresh with one vote")
    service.vote(fresh.id, fans[0])
    elsewhere = _idea(other, title="Another board idea")
    top_all = lists.list_ideas("top", board_id=board.id)
    assert [i.id for i in top_all.items] == [old.id, fresh.id] and top_all.total == 2
    assert [i.id for i in lists.list_ideas("top", board_id=board.id, period="month").items] == [fresh.id]
    assert [i.id for i in lists.list_ideas("new", board_id=board.id).items] == [fresh.id, old.id]
    assert lists.list_ideas("hot").total == 3
    assert {i.id for i in lists.list_ideas("hot").items} == {old.id, fresh.id, elsewhere.id}
    tagged = lists.list_ideas("hot", tag_ids=lists.find_tag_ids(board.id, "battery"))
    assert [i.id for i in tagged.items] == [old.id] and tagged.total == 1
    staff = make_user(role="staff")
    statuses.change_status(fresh.id, staff, "planned", "On the roadmap.")
    planned = lists.list_ideas("hot", status="planned")
    assert [i.id for i in planned.items] == [fresh.id] and planned.total == 1
    assert lists.counts_by_status(board.id)["open"] == 1


def test_lists_page_by_twenty(ctx):
    board, author = make_board(), make_user()
    for i in range(25):
        service.propose(board, author, f"Idea number {i}", "b")
    first = lists.list_ideas("new", board_id=board.id)
    second = lists.list_ideas("new", board_id=board.id, page=2)
    assert len(first.items) == 20 and first.has_next and first.total == 25
    assert len(second.items) == 5 and not second.has_next
    assert not {i.id for i in first.items} & {i.id for i in second.items}


def test_hidden_ideas_leave_the_lists(ctx):
    idea, staff = _idea(), make_user(role="staff")
    moderation.set_thread_hidden(idea.thread, staff, True, "spam")
    assert lists.list_ideas("hot").items == []
    with pytest.raises(NotFound):
        service.get_idea(idea.id, make_user())


def test_status_changes_need_staff_a_known_status_and_a_response(ctx):
    idea, fan, staff = _idea(), make_user(), make_user(role="staff")
    with pytest.raises(Forbidden):
        statuses.change_status(idea.id, fan, "planned", "I say so")
    with pytest.raises(ValidationError) as caught:
        statuses.change_status(idea.id, staff, "done-ish", "?")
    assert caught.value.code == "unknown_status"
    with pytest.raises(ValidationError):
        statuses.change_status(idea.id, staff, "planned", "   ")
    statuses.change_status(idea.id, staff, "under_review", "Looking into it.")
    statuses.change_status(idea.id, staff, "planned", "Coming in **v2**.")
    changes = statuses.timeline(idea)
    assert [(c.from_status, c.to_status) for c in changes] == [("open", "under_review"),
                                                               ("under_review", "planned")]
    assert "<strong>v2</strong>" in statuses.official_response(changes).response_html
    assert lists.counts_by_status(idea.board_id)["planned"] == 1
    assert lists.counts_by_status(idea.board_id)["open"] == 0


def test_merge_moves_voters_once_and_locks_the_source(ctx):
    board, staff = make_board(), make_user(role="staff")
    a, b = _idea(board, title="Duplicate idea A"), _idea(board, title="Original idea B")
    both, only_a, only_b = make_user(), make_user(), make_user()
    for fan in (both, only_a):
        service.vote(a.id, fan)
    for fan in (both, only_b):
        service.vote(b.id, fan)
    statuses.merge(a.id, b.id, staff)
    db.session.refresh(a)
    db.session.refresh(b)
    assert b.votes == 3
    assert set(db.session.scalars(select(Vote.user_id).where(Vote.idea_id == b.id))) == {
        both.id, only_a.id, only_b.id}
    assert a.status == "merged" and a.merged_into_id == b.id and a.thread.locked
    assert f"#{b.id}" in statuses.official_response(statuses.timeline(a)).response
    with pytest.raises(Conflict):
        service.vote(a.id, make_user())
    with pytest.raises(Conflict):
        statuses.merge(a.id, b.id, staff)
    with pytest.raises(ValidationError):
        statuses.merge(b.id, b.id, staff)
    c = _idea(board, title="Third idea C")
    with pytest.raises(Conflict):
        statuses.merge(c.id, a.id, staff)  # a is merged: merge into b instead
    assert lists.list_ideas("hot", board_id=board.id).total == 2
    assert [i.id for i in lists.list_ideas("hot", status="merged").items] == [a.id]


def test_shipped_page_lists_newest_first(ctx):
    staff = make_user(role="staff")
    first, second = _idea(title="First shipped"), _idea(title="Second shipped")
    statuses.change_status(first.id, staff, "shipped", "Out now")
    statuses.change_status(second.id, staff, "shipped", "Out now too")
    assert [i.id for i in lists.shipped().items] == [second.id, first.id]
