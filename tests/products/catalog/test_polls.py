from datetime import timedelta

import pytest
from catalog_factories import make_product
from helpers import make_contributor, make_user
from sqlalchemy import func, select, update

from community.kernel.database import utcnow
from community.kernel.errors import Conflict, Forbidden, ValidationError
from community.kernel.extensions import db
from products.catalog import participation, polls
from products.catalog.models import Poll, PollVote


def _close(poll):
    db.session.execute(update(Poll).where(Poll.id == poll.id)
                       .values(ends_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    db.session.refresh(poll)


@pytest.fixture
def setup(ctx):
    staff = make_user(role="staff")
    product = make_product(staff=staff)
    poll = polls.create_poll(product, staff, "Which strap?", ["Silicone", " Leather ", ""],
                             utcnow() + timedelta(days=3))
    return product, staff, poll


def test_only_participants_vote_once_each(setup):
    product, staff, poll = setup
    silicone, leather = poll.options
    assert [o.label for o in poll.options] == ["Silicone", "Leather"]
    fan = make_contributor(product)
    with pytest.raises(Forbidden) as caught:
        polls.vote(poll, fan, silicone.id)
    assert caught.value.code == "not_participant"
    participation.join(product, fan)
    assert polls.vote(poll, fan, silicone.id) is True
    assert polls.vote(poll, fan, leather.id) is False  # the first vote stands
    assert polls.my_votes(fan, [poll.id]) == {poll.id: silicone.id}
    with pytest.raises(ValidationError):
        polls.vote(poll, fan, 424242)
    db.session.refresh(poll)
    assert poll.vote_count == 1
    assert db.session.scalar(select(func.count()).select_from(PollVote)) == 1


def test_results_are_hidden_until_the_poll_closes(setup):
    product, staff, poll = setup
    fans = [make_contributor(product) for _ in range(3)]
    for fan, option in zip(fans, [0, 0, 1], strict=True):
        participation.join(product, fan)
        polls.vote(poll, fan, poll.options[option].id)
    db.session.expire_all()
    poll = db.session.get(Poll, poll.id)
    assert polls.results(poll, fans[0]) is None  # even the voter waits
    assert polls.results(poll, None) is None
    assert [r.votes for r in polls.results(poll, staff)] == [2, 1]
    _close(poll)
    results = polls.results(poll, None)
    assert [(r.option.label, r.votes, r.percent) for r in results] == [("Silicone", 2, 67),
                                                                      ("Leather", 1, 33)]
    late = make_contributor(product)
    participation.join(product, late)
    with pytest.raises(Conflict) as caught:
        polls.vote(poll, late, poll.options[0].id)
    assert caught.value.code == "poll_closed"


def test_decisions_are_recorded_by_staff_after_the_close(setup):
    product, staff, poll = setup
    with pytest.raises(Conflict) as caught:
        polls.record_decision(poll, staff, "Silicone it is.")
    assert caught.value.code == "poll_open"
    _close(poll)
    with pytest.raises(Forbidden):
        polls.record_decision(poll, make_user(), "Mine!")
    with pytest.raises(ValidationError):
        polls.record_decision(poll, staff, "  ")
    polls.record_decision(poll, staff, "Silicone it is.")
    assert db.session.get(Poll, poll.id).decision == "Silicone it is."


@pytest.mark.parametrize(
    ("question", "options", "ends_in", "field"),
    [("", ["a", "b"], 1, "question"), ("x" * 201, ["a", "b"], 1, "question"),
     ("Q?", ["a"], 1, "options"), ("Q?", list("abcdefg"), 1, "options"),
     ("Q?", ["a", "A"], 1, "options"), ("Q?", ["a", "x" * 121], 1, "options"),
     ("Q?", ["a", "b"], -1, "ends_at"), ("Q?", ["a", "b"], 400, "ends_at"),
     ("Q?", ["a", "b"], None, "ends_at")],
)
def test_bad_polls_are_refused(ctx, question, options, ends_in, field):
    staff = make_user(role="staff")
    product = make_product(staff=staff)
    ends_at = None if ends_in is None else utcnow() + timedelta(days=ends_in)
    with pytest.raises(ValidationError) as caught:
        polls.create_poll(product, staff, question, options, ends_at)
    assert caught.value.field == field
    assert polls.polls_of(product.id) == []


def test_only_staff_create_polls(ctx):
    product = make_product()
    with pytest.raises(Forbidden):
        polls.create_poll(product, make_user(), "Q?", ["a", "b"], utcnow() + timedelta(days=1))
