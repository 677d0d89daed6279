"""Feedback rounds: open for a while, then frozen into results staff act on."""

from datetime import datetime
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, union, update

from ..accounts.rows import moment
from ..forum.moderation import ensure_staff
from ..ideas.models import Idea, Vote
from ..ideas.statuses import record_change
from ..kernel import signals
from ..kernel.database import transaction, utcnow
from ..kernel.errors import Conflict, NotFound, ValidationError
from ..kernel.extensions import db
from ..kernel.reads import rows_of
from ..web.markdown import render
from . import budget
from .models import Round, RoundResult

MAX_BRIEF = 10_000


def create_round(board, actor, title, brief, starts_at: datetime, ends_at: datetime, vote_budget=None):
    ensure_staff(actor)
    title = (title or "").strip()
    if not 1 <= len(title) <= 120:
        raise ValidationError(_("Give the round a title of at most 120 characters."), field="title")
    if len(brief or "") > MAX_BRIEF:
        raise ValidationError(_("Keep the brief under %(n)d characters.", n=MAX_BRIEF), field="brief")
    if starts_at is None or ends_at is None:
        raise ValidationError(_("Give the round a start and an end."), field="starts_at")
    if ends_at <= starts_at:
        raise ValidationError(_("The round must end after it starts."), field="ends_at")
    if ends_at <= utcnow():
        raise ValidationError(_("The end is already past."), field="ends_at")
    if vote_budget is not None and not (isinstance(vote_budget, int) and 0 < vote_budget <= 1000):
        raise ValidationError(_("The vote budget is a whole number from 1 to 1000."),
                              field="vote_budget")
    with transaction():
        round_ = Round(board_id=board.id, created_by_id=actor.id, title=title,
                       brief=(brief or "").strip(), brief_html=render(brief or ""),
                       starts_at=starts_at, ends_at=ends_at, vote_budget=vote_budget)
        db.session.add(round_)
        db.session.flush()
        _announce_if_started(round_)
    return round_


def _announce_if_started(round_):
    """Tell the board's followers once, when the round opens (inside a transaction)."""
    now = utcnow()
    if round_.starts_at > now or round_.ends_at <= now:
        return False
    won = db.session.execute(
        update(Round).where(Round.id == round_.id, Round.announced_at.is_(None))
        .values(announced_at=now).returning(Round.id)
    ).first()
    if won:
        db.session.refresh(round_)
        signals.round_opened.send(round_)
    return bool(won)


def get_round(round_id):
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise NotFound(_("No such round."))
    return round_


def refresh(round_):
    """Viewing a round opens or closes it when its time has come."""
    if round_.closed_at is None and round_.ends_at <= utcnow():
        close_round(round_.id)
    elif round_.announced_at is None and round_.starts_at <= utcnow():
        with transaction():
            _announce_if_started(db.session.get(Round, round_.id))
    return db.session.get(Round, round_.id, populate_existing=True)


def live_rounds(board_id=None):
    now = utcnow()
    stmt = select(Round).where(Round.starts_at <= now, Round.ends_at > now, Round.closed_at.is_(None))
    if board_id is not None:
        stmt = stmt.where(Round.board_id == board_id)
    return db.session.scalars(stmt.order_by(Round.ends_at)).all()


_LIVE_LINKS = {
    by_board: (select(Round.id, Round.title, Round.ends_at)
               .where(Round.starts_at <= bindparam("now"), Round.ends_at > bindparam("now"),
                      Round.closed_at.is_(None),
                      *([Round.board_id == bindparam("board_id")] if by_board else []))
               .order_by(Round.ends_at))
    for by_board in (False, True)
}


class RoundLink(NamedTuple):
    id: int
    title: str
    ends_at: datetime


def live_round_links(board_id=None):
    """live_rounds as RoundLinks, for the banners of idea lists (every list page asks: a
    statement built once, run on the driver)."""
    params = {"now": utcnow()} if board_id is None else {"now": utcnow(), "board_id": board_id}
    return [RoundLink(round_id, title, moment(ends_at)) for round_id, title, ends_at
            in rows_of(_LIVE_LINKS[board_id is not None], **params)]


def rounds_by_state(limit=50):
    now = utcnow()
    upcoming = db.session.scalars(
        select(Round).where(Round.starts_at > now, Round.closed_at.is_(None)).order_by(Round.starts_at)
        .limit(limit)).all()
    closed = db.session.scalars(
        select(Round).where((Round.closed_at.is_not(None)) | (Round.ends_at <= now))
        .order_by(Round.ends_at.desc()).limit(limit)).all()
    return {"upcoming": upcoming, "live": live_rounds(), "closed": closed}


def standings(round_):
    """The round's ideas by votes: live while it runs, the frozen results after."""
    if round_.closed_at is not None:
        return db.session.scalars(
            select(RoundResult).where(RoundResult.round_id == round_.id).order_by(RoundResult.rank)
        ).all()
    ideas = db.session.scalars(
        select(Idea).where(Idea.round_id == round_.id, Idea.status != "merged")
        .order_by(Idea.votes.desc(), Idea.id)
    ).all()
    return [RoundResult(round_id=round_.id, idea_id=i.id, idea=i, rank=n, votes=i.votes)
            for n, i in enumerate(ideas, start=1)]


def budget_left(round_, user):
    if round_ is None or user is None or not user.is_authenticated:
        return None
    return budget.remaining(round_, user.id)


def close_round(round_id):
    """Freeze the results of a round whose end has passed. Closing twice changes nothing."""
    with transaction():
        now = utcnow()
        won = db.session.execute(
            update(Round).where(Round.id == round_id, Round.closed_at.is_(None), Round.ends_at <= now)
            .values(closed_at=now).returning(Round.id)
        ).first()
        if won is None:
            return False
        ideas = db.session.execute(
            select(Idea.id, Idea.votes).where(Idea.round_id == round_id, Idea.status != "merged")
            .order_by(Idea.votes.desc(), Idea.id)
        ).all()
        for rank, (idea_id, votes) in enumerate(ideas, start=1):
            db.session.add(RoundResult(round_id=round_id, idea_id=idea_id, rank=rank, votes=votes))
        voters = select(Vote.user_id.label("uid")).where(Vote.round_id == round_id)
        authors = select(Idea.author_id.label("uid")).where(Idea.round_id == round_id)
        people = union(voters, authors).subquery()
        db.session.execute(update(Round).where(Round.id == round_id).values(
            participant_count=select(func.count()).select_from(people).scalar_subquery(),
            idea_count=len(ideas),
            vote_count=select(func.count()).where(Vote.round_id == round_id).scalar_subquery(),
        ))
        round_ = db.session.get(Round, round_id, populate_existing=True)
        signals.round_closed.send(round_)
    return True


def close_due():
    """Announce rounds that have started and close those that have ended (for cron)."""
    now = utcnow()
    opened = 0
    for round_ in db.session.scalars(select(Round).where(
            Round.announced_at.is_(None), Round.starts_at <= now, Round.ends_at > now)).all():
        with transaction():
            opened += _announce_if_started(db.session.get(Round, round_.id))
    due = db.session.scalars(select(Round.id).where(Round.closed_at.is_(None), Round.ends_at <= now)).all()
    closed = sum(close_round(round_id) for round_id in due)
    return opened, closed


def write_summary(round_id, actor, summary):
    ensure_staff(actor)
    if len(summary or "") > MAX_BRIEF:
        raise ValidationError(_("Keep the summary under %(n)d characters.", n=MAX_BRIEF), field="summary")
    with transaction():
        round_ = get_round(round_id)
        if round_.closed_at is None:
            raise Conflict(_("Write the summary once the round has closed."), code="round_not_closed")
        round_.summary, round_.summary_html = (summary or "").strip(), render(summary or "")
    return round_


def accept_ideas(round_id, actor, idea_ids, response=""):
    """Staff accept results: the ideas move to planned and their voters hear of it."""
    ensure_staff(actor)
    with transaction():
        round_ = get_round(round_id)
        if round_.closed_at is None:
            raise Conflict(_("Accept ideas once the round has closed."), code="round_not_closed")
        results = db.session.scalars(select(RoundResult).where(
            RoundResult.round_id == round_id, RoundResult.idea_id.in_(idea_ids or []))).all()
        if not results:
            raise ValidationError(_("Pick ideas from this round's results."), field="ideas")
        text = (response or "").strip() or _("Accepted in the round “%(title)s”.", title=round_.title)
        accepted = []
        for result in results:
            idea = db.session.get(Idea, result.idea_id, populate_existing=True)
            if result.accepted or idea.status in ("merged", "shipped", "declined"):
                continue
            result.accepted = True
            change = record_change(idea, actor, "planned", text)
            signals.idea_status_changed.send(idea, change=change, actor=actor)
            accepted.append(idea)
        if accepted:
            signals.round_ideas_accepted.send(round_, ideas=accepted)
    return accepted
