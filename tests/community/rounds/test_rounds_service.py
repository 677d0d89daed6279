from datetime import timedelta

import pytest
from helpers import make_board, make_user
from sqlalchemy import update

from community.ideas import service as ideas
from community.kernel.database import utcnow
from community.kernel.errors import Conflict, Forbidden, ValidationError
from community.kernel.extensions import db
from community.rounds import service
from community.rounds.models import Round


def _round(board, staff, budget=None, start=-1, hours=24):
    now = utcnow()
    return service.create_round(board, staff, "What next?", "Tell us",
                                now + timedelta(hours=start), now + timedelta(hours=hours), budget)


def _end(round_):
    db.session.execute(update(Round).where(Round.id == round_.id).values(
        starts_at=utcnow() - timedelta(days=2), ends_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_create_round_rules(ctx):
    board, staff, fan = make_board(), make_user(role="staff"), make_user()
    now = utcnow()
    with pytest.raises(Forbidden):
        service.create_round(board, fan, "t", "", now, now + timedelta(days=1))
    with pytest.raises(ValidationError):
        service.create_round(board, staff, "t", "", now, now - timedelta(hours=1))
    with pytest.raises(ValidationError):
        service.create_round(board, staff, "t", "", now - timedelta(days=2), now - timedelta(days=1))
    with pytest.raises(ValidationError):
        service.create_round(board, staff, "t", "", now, now + timedelta(days=1), vote_budget=0)
    live = _round(board, staff)
    upcoming = _round(board, staff, start=5, hours=48)
    assert live.state() == "live" and upcoming.state() == "upcoming"
    assert live.announced_at is not None and upcoming.announced_at is None
    groups = service.rounds_by_state()
    assert [r.id for r in groups["live"]] == [live.id]
    assert [r.id for r in groups["upcoming"]] == [upcoming.id]


def test_ideas_join_only_live_rounds_of_their_board(ctx):
    board, other, staff, fan = make_board(), make_board(), make_user(role="staff"), make_user()
    live, upcoming = _round(board, staff), _round(board, staff, start=5, hours=48)
    idea = ideas.propose(board, fan, "An idea for the round", "b", round_id=live.id)
    assert idea.round_id == live.id
    with pytest.raises(Conflict):
        ideas.propose(board, fan, "Too early for this", "b", round_id=upcoming.id)
    with pytest.raises(ValidationError):
        ideas.propose(other, fan, "Wrong board for it", "b", round_id=live.id)


def test_vote_budget_is_enforced_and_refunded(ctx):
    board, staff, fan = make_board(), make_user(role="staff"), make_user()
    round_ = _round(board, staff, budget=2)
    round_ideas = [ideas.propose(board, staff, f"Round idea no {i}", "b", round_id=round_.id)
                   for i in range(3)]
    ideas.vote(round_ideas[0].id, fan)
    ideas.vote(round_ideas[1].id, fan)
    assert service.budget_left(round_, fan) == 0
    with pytest.raises(Conflict) as caught:
        ideas.vote(round_ideas[2].id, fan)
    assert caught.value.code == "budget_exhausted"
    assert db.session.get(type(round_ideas[2]), round_ideas[2].id).votes == 0
    ideas.unvote(round_ideas[0].id, fan)
    assert service.budget_left(round_, fan) == 1
    assert ideas.vote(round_ideas[2].id, fan) == 1
    outside = ideas.propose(board, staff, "Not in the round", "b")
    assert ideas.vote(outside.id, fan) == 1  # ideas outside the round cost nothing


def test_closing_freezes_results_and_figures_once(ctx):
    board, staff = make_board(), make_user(role="staff")
    fans = [make_user() for _ in range(3)]
    round_ = _round(board, staff)
    a = ideas.propose(board, fans[0], "Round idea alpha", "b", round_id=round_.id)
    b = ideas.propose(board, fans[1], "Round idea beta", "b", round_id=round_.id)
    for fan in fans:
        ideas.vote(b.id, fan)
    ideas.vote(a.id, fans[2])
    _end(round_)
    assert service.close_due() == (0, 1)
    assert service.close_due() == (0, 0)
    assert not service.close_round(round_.id)
    round_ = service.get_round(round_.id)
    assert (round_.participant_count, round_.idea_count, round_.vote_count) == (3, 2, 4)
    frozen = service.standings(round_)
    assert [(r.idea_id, r.rank, r.votes) for r in frozen] == [(b.id, 1, 3), (a.id, 2, 1)]
    ideas.vote(a.id, staff)  # later votes do not change the frozen results
    assert [r.votes for r in service.standings(service.get_round(round_.id))] == [3, 1]


def test_accepting_moves_ideas_to_planned(ctx):
    board, staff, fan = make_board(), make_user(role="staff"), make_user()
    round_ = _round(board, staff)
    idea = ideas.propose(board, fan, "Accept this one", "b", round_id=round_.id)
    with pytest.raises(Conflict):
        service.accept_ideas(round_.id, staff, [idea.id])
    _end(round_)
    service.refresh(round_)
    accepted = service.accept_ideas(round_.id, staff, [idea.id])
    assert [i.id for i in accepted] == [idea.id]
    assert ideas.get_idea(idea.id).status == "planned"
    assert service.accept_ideas(round_.id, staff, [idea.id]) == []
    with pytest.raises(ValidationError):
        service.accept_ideas(round_.id, staff, [])
    service.write_summary(round_.id, staff, "We **build** alpha.")
    assert "<strong>build</strong>" in service.get_round(round_.id).summary_html


def test_close_due_command(ctx, runner):
    board, staff = make_board(), make_user(role="staff")
    _end(_round(board, staff))
    result = runner.invoke(args=["rounds", "close-due"])
    assert "closed 1 round" in result.output
