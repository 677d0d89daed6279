"""Design polls: staff put a question to the product's co-creators, who vote once each.

Counts stay hidden until the poll closes (staff excepted), so early votes do not
steer later ones; then staff record what was decided.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update

from community.forum.moderation import ensure_staff
from community.kernel.database import insert_ignore, transaction, utcnow
from community.kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from community.kernel.extensions import db
from community.kernel.reads import moment, rows_of

from . import signals
from .models import CoCreator, Poll, PollOption, PollTiming, PollVote, Product

MAX_QUESTION, MAX_OPTION, MAX_DECISION = 200, 120, 5000
MIN_OPTIONS, MAX_OPTIONS = 2, 6
MAX_DURATION = timedelta(days=365)


@dataclass(frozen=True)
class Result:
    option: PollOption
    votes: int
    percent: int


def _is_staff(user):
    return bool(user is not None and user.is_authenticated and user.is_staff)


def _check_options(options):
    labels = [label.strip() for label in options or () if label and label.strip()]
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        raise ValidationError(_("Give from %(low)d to %(high)d options.", low=MIN_OPTIONS,
                                high=MAX_OPTIONS), field="options")
    if any(len(label) > MAX_OPTION for label in labels):
        raise ValidationError(_("Keep each option to %(n)d characters.", n=MAX_OPTION),
                              field="options")
    if len({label.casefold() for label in labels}) != len(labels):
        raise ValidationError(_("Each option must be different."), field="options")
    return labels


def create_poll(product, actor, question, options, ends_at):
    """Staff ask the co-creators a design question with 2-6 options, open until ends_at
    (naive UTC)."""
    ensure_staff(actor)
    question = (question or "").strip()
    if not question or len(question) > MAX_QUESTION:
        raise ValidationError(_("Ask a question of at most %(n)d characters.", n=MAX_QUESTION),
                              field="question")
    labels = _check_options(options)
    now = utcnow()
    if ends_at is None or ends_at <= now:
        raise ValidationError(_("The poll must end in the future."), field="ends_at")
    if ends_at > now + MAX_DURATION:
        raise ValidationError(_("A poll runs for a year at most."), field="ends_at")
    with transaction():
        stage = db.session.scalar(select(Product.stage).where(Product.id == product.id))
        if stage is None:
            raise NotFound(_("No such product."))
        if stage == "cancelled":
            raise Conflict(_("This product was cancelled."), code="product_cancelled")
        poll = Poll(product_id=product.id, question=question, ends_at=ends_at,
                    created_by_id=actor.id, created_at=now)
        poll.options = [PollOption(label=label, position=i) for i, label in enumerate(labels)]
        db.session.add(poll)
        db.session.flush()
        signals.poll_created.send(poll, product=product)
    return poll


def get_poll(product, poll_id):
    poll = db.session.get(Poll, poll_id)
    if poll is None or poll.product_id != product.id:
        raise NotFound(_("No such poll."))
    return poll


def polls_of(product_id):
    """The product's polls, newest first, with their options (two queries in all)."""
    return db.session.scalars(
        select(Poll).where(Poll.product_id == product_id).order_by(Poll.id.desc())).all()


class ShownOption(NamedTuple):
    id: int
    label: str
    votes: int


class ShownPoll(PollTiming):
    """A poll with its options as the product page shows it (shown_polls): read as rows."""

    __slots__ = ("id", "question", "ends_at", "vote_count", "decision", "options")

    def __init__(self, poll_id, question, ends_at, vote_count, decision):
        self.id, self.question, self.ends_at = poll_id, question, moment(ends_at)
        self.vote_count, self.decision, self.options = vote_count, decision, []


# Built once and run on the driver: every product page draws its polls.
_SHOWN_POLLS = (
    select(Poll.id, Poll.question, Poll.ends_at, Poll.vote_count, Poll.decision,
           PollOption.id, PollOption.label, PollOption.votes)
    .outerjoin(PollOption, PollOption.poll_id == Poll.id)
    .where(Poll.product_id == bindparam("product_id"))
    .order_by(Poll.id.desc(), PollOption.position))


def shown_polls(product_id):
    """polls_of as ShownPolls, in one statement."""
    found = {}
    for *poll, option_id, label, votes in rows_of(_SHOWN_POLLS, product_id=product_id):
        shown = found.get(poll[0]) or found.setdefault(poll[0], ShownPoll(*poll))
        if option_id is not None:
            shown.options.append(ShownOption(option_id, label, votes))
    return list(found.values())


def my_votes(user, poll_ids):
    """{poll_id: option_id} of the user's votes among these polls, in one query."""
    if user is None or not user.is_authenticated or not poll_ids:
        return {}
    return dict(db.session.execute(
        select(PollVote.poll_id, PollVote.option_id)
        .where(PollVote.user_id == user.id, PollVote.poll_id.in_(list(poll_ids)))).all())


def vote(poll, user, option_id):
    """A co-creator votes for one option. Returns True for a new vote, False when they had
    voted already (their first vote stands)."""
    if user is None or not user.is_authenticated:
        raise Forbidden(_("Sign in to vote."), code="sign_in_required")
    if user.is_banned:
        raise Forbidden(_("Your account is banned and cannot vote."), code="banned")
    with transaction():
        poll = db.session.get(Poll, poll.id, populate_existing=True)
        if poll is None:
            raise NotFound(_("No such poll."))
        if not poll.is_open():
            raise Conflict(_("This poll has closed."), code="poll_closed")
        if option_id not in {option.id for option in poll.options}:
            raise ValidationError(_("Pick one of the poll's options."), field="option")
        participant = db.session.scalar(select(CoCreator.user_id).where(
            CoCreator.product_id == poll.product_id, CoCreator.user_id == user.id))
        if participant is None:
            raise Forbidden(_("Only the product's co-creators vote. Join the product first."),
                            code="not_participant")
        voted = insert_ignore(PollVote, poll_id=poll.id, user_id=user.id, option_id=option_id,
                              created_at=utcnow())
        if voted:
            db.session.execute(update(PollOption).where(PollOption.id == option_id)
                               .values(votes=PollOption.votes + 1))
            db.session.execute(update(Poll).where(Poll.id == poll.id)
                               .values(vote_count=Poll.vote_count + 1))
    return voted


def results(poll, viewer=None, now=None):
    """The counts per option once the poll has closed, or None while it is open: even a
    voter waits for the close. Staff see them all along."""
    if poll.is_open(now) and not _is_staff(viewer):
        return None
    total = sum(option.votes for option in poll.options)
    return [Result(option, option.votes, round(100 * option.votes / total) if total else 0)
            for option in poll.options]


def record_decision(poll, actor, text):
    """Staff say what was decided, once the poll has closed (they may correct it later)."""
    ensure_staff(actor)
    text = (text or "").strip()
    if not text or len(text) > MAX_DECISION:
        raise ValidationError(_("Write the decision in at most %(n)d characters.",
                                n=MAX_DECISION), field="decision")
    with transaction():
        poll = db.session.get(Poll, poll.id, populate_existing=True)
        if poll is None:
            raise NotFound(_("No such poll."))
        if poll.is_open():
            raise Conflict(_("Record the decision once the poll has closed."), code="poll_open")
        poll.decision, poll.decided_at = text, utcnow()
    return poll
