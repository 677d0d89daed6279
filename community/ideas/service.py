"""Idea use cases: proposing, tags, and voting."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Float, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defaultload

from ..accounts.models import User
from ..accounts.rows import AUTHOR_COLUMNS, Author, moment
from ..forum import service as forum
from ..forum.models import Board, Thread
from ..forum.screening import screen
from ..kernel import signals
from ..kernel.database import (
    dialect_name,
    insert_ignore,
    insert_ignore_if,
    sqlite_function,
    sync_loaded,
    transaction,
    utcnow,
    write,
)
from ..kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from ..kernel.extensions import db
from ..kernel.plaintext import single_line
from ..kernel.reads import rows_among, rows_of
from ..rounds import budget
from ..rounds.models import Round
from .labels import STATUS_NAMES
from .models import CLOSED_TO_VOTES, Idea, IdeaCount, IdeaTag, Tag, Vote
from .ranking import hot_score

MAX_TAGS = 5
MAX_TAG_LENGTH = 32


# ---- reading ---------------------------------------------------------------

# The idea's thread as the idea's pages need it: not its board and author too (the
# idea's own are loaded), which Thread's eager joins would otherwise add.
_IDEA_LOAD = (defaultload(Idea.thread).lazyload(Thread.board),
              defaultload(Idea.thread).lazyload(Thread.author))


def get_idea(idea_id, viewer=None):
    idea = db.session.get(Idea, idea_id, options=_IDEA_LOAD)
    if idea is None or not forum.can_see_thread(idea.thread, viewer):
        raise NotFound(_("No such idea."))
    return idea


def idea_for_thread(thread_id):
    return db.session.scalar(select(Idea).where(Idea.thread_id == thread_id))


# Built once and run on the connection (no ORM layer): every signed-in page with ideas
# on it asks (community/web/pagecache/holes.py).
_VOTED = select(Vote.idea_id).where(Vote.user_id == bindparam("user_id"),
                                    Vote.idea_id.in_(bindparam("ids", expanding=True)))


def voted_ids(user, idea_ids):
    """Which of these ideas the user has voted for, in one query."""
    if user is None or not user.is_authenticated or not idea_ids:
        return set()
    return {row[0] for row in rows_among(_VOTED, list(idea_ids), user_id=user.id)}


class VoterRow:
    """A vote as the voters' lists show it: user_id, created_at, and `user` an accounts
    Author."""

    __slots__ = ("user_id", "created_at", "user")

    def __init__(self, created_at, user_id, *author):
        self.user_id, self.created_at = user_id, moment(created_at)
        self.user = Author(user_id, *author)


_VOTERS = (select(Vote.created_at, *AUTHOR_COLUMNS).join(User, User.id == Vote.user_id)
           .where(Vote.idea_id == bindparam("idea_id"))
           .order_by(Vote.created_at.desc(), Vote.user_id.desc())
           .limit(bindparam("limit")).offset(bindparam("offset")))


def voters(idea, limit=50, offset=0):
    """The latest votes first, as VoterRows."""
    return [VoterRow(*row) for row in rows_of(_VOTERS, idea_id=idea.id, limit=limit,
                                               offset=offset)]


# ---- tags ------------------------------------------------------------------

def board_tags(board_id):
    return db.session.scalars(select(Tag).where(Tag.board_id == board_id).order_by(Tag.name)).all()


def set_board_tags(board, names):
    """Make the board's tag list exactly `names` (tags in use are kept)."""
    wanted = []
    for name in names:
        name = name.strip()
        if not name or name in wanted:
            continue
        if len(name) > MAX_TAG_LENGTH:
            raise ValidationError(_("Keep each tag under %(n)d characters.", n=MAX_TAG_LENGTH),
                                  field="tags")
        wanted.append(name)
    with transaction():
        current = {t.name: t for t in board_tags(board.id)}
        for name in wanted:
            if name not in current:
                db.session.add(Tag(board_id=board.id, name=name))
        for name, tag in current.items():
            used = db.session.scalar(select(IdeaTag.idea_id).where(IdeaTag.tag_id == tag.id).limit(1))
            if name not in wanted and used is None:
                db.session.delete(tag)
    return board_tags(board.id)


def _resolve_tags(board_id, names):
    # Ticked boxes are not checked against the board's list by the form: cleaned here,
    # so a NUL or a control character is an unknown tag, not a database error.
    names = list(dict.fromkeys(single_line(n) for n in names or () if n and single_line(n)))
    if len(names) > MAX_TAGS:
        raise ValidationError(_("Pick at most %(n)d tags.", n=MAX_TAGS), field="tags")
    if not names:
        return []
    tags = db.session.scalars(select(Tag).where(Tag.board_id == board_id, Tag.name.in_(names))).all()
    unknown = set(names) - {t.name for t in tags}
    if unknown:
        raise ValidationError(_("Not on this board's tag list: %(tags)s.",
                                tags=", ".join(sorted(unknown))), field="tags")
    return tags


# ---- proposing -------------------------------------------------------------

def move_count(board_id, status, delta):
    """Keep idea_counts in step, inside the caller's transaction."""
    insert_ignore(IdeaCount, board_id=board_id, status=status, n=0)
    db.session.execute(update(IdeaCount)
                       .where(IdeaCount.board_id == board_id, IdeaCount.status == status)
                       .values(n=IdeaCount.n + delta))


def propose(board, author, title, body, tags=(), round_id=None, submit_token=None):
    """A fan proposes an idea; its body and discussion are a forum thread."""
    title, body = forum.check_title(title, "idea"), forum.check_body(body)
    forum.ensure_can_post(author)
    tags = list(tags or ())
    _resolve_tags(board.id, tags), _round_for_new_idea(board.id, round_id)  # before a hold
    fields = screen(author, "idea", {"board_id": board.id, "title": title, "body": body,
                                     "tags": tags, "round_id": round_id}, submit_token)
    title, body = fields["title"], fields["body"]
    try:
        with transaction():
            if (earlier := _resubmitted(author.id, submit_token)) is not None:
                return earlier
            idea = add_idea(board.id, author, title, body, tags, round_id, submit_token)
    except IntegrityError:
        if (earlier := _resubmitted(author.id, submit_token)) is not None:
            return earlier
        raise
    db.session.refresh(idea)
    return idea


def add_idea(board_id, author, title, body, tags=(), round_id=None, submit_token=None):
    """The inside of propose(), in the caller's transaction (an approved idea's too)."""
    board = db.session.get(Board, board_id)
    if board is None:
        raise NotFound(_("No such board."))
    tag_rows = _resolve_tags(board.id, tags)
    round_ = _round_for_new_idea(board.id, round_id)
    thread = forum.add_thread(board.id, author, title, body, submit_token,
                              kind="idea", listed=False)
    idea = Idea(board_id=board.id, thread_id=thread.id, author_id=author.id,
                created_at=thread.created_at, status_changed_at=thread.created_at,
                hot=hot_score(0, thread.created_at), round_id=round_.id if round_ else None)
    db.session.add(idea)
    db.session.flush()
    for tag in tag_rows:
        db.session.add(IdeaTag(idea_id=idea.id, tag_id=tag.id))
    move_count(board.id, "open", 1)
    signals.idea_created.send(idea, round=round_)
    return idea


def _resubmitted(author_id, submit_token):
    """The idea an earlier submit of this form made, or None. A token already spent on a
    thread or reply (a form posted twice by hand) is refused, not a 500."""
    if (post := forum.existing_submission(author_id, submit_token)) is None:
        return None
    if (idea := idea_for_thread(post.thread_id)) is None:
        raise ValidationError(_("This form was sent already: reload the page to write again."),
                              code="form_used")
    return idea


def _round_for_new_idea(board_id, round_id):
    if not round_id:
        return None
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.board_id != board_id:
        raise ValidationError(_("That round is not on this board."), field="round")
    if round_.state() != "live":
        raise Conflict(_("That round is not taking ideas now."), field="round", code="round_not_live")
    return round_


# ---- voting ----------------------------------------------------------------

def ensure_can_vote(user):
    if user is None or not user.is_authenticated:
        raise Forbidden(_("Sign in to vote."), code="sign_in_required")
    if user.is_banned:
        raise Forbidden(_("Your account is banned and cannot vote."), code="banned")


def _check_open(idea, hidden):
    if idea is None or hidden:
        raise NotFound(_("No such idea."))
    if idea.status == "merged":
        raise Conflict(_("This idea was merged into another one; vote there."), code="idea_merged")
    if idea.status in CLOSED_TO_VOTES:
        raise Conflict(_("This idea is %(status)s and takes no more votes.",
                         status=status_label(idea.status).lower()), code="voting_closed")
    return idea


def _open_for_votes(idea_id):
    idea = db.session.get(Idea, idea_id, populate_existing=True)
    return _check_open(idea, idea is not None and idea.thread.hidden)


_IDEAS = Idea.__table__
# The vote's idea is visible, open to votes and in no round: what vote() read before.
_TAKES_PLAIN_VOTES = (
    select(_IDEAS.c.id).join(Thread, Thread.id == _IDEAS.c.thread_id)
    .where(_IDEAS.c.id == bindparam("idea_id"), _IDEAS.c.status.not_in(CLOSED_TO_VOTES),
           _IDEAS.c.round_id.is_(None), Thread.hidden.is_(False))
).exists()
_NEW_VOTES = _IDEAS.c.votes + bindparam("delta")
_BUMP_VOTES = (_IDEAS.update().where(_IDEAS.c.id == bindparam("idea_id"))
               .values(votes=_NEW_VOTES).returning(_IDEAS.c.votes, _IDEAS.c.created_at))
# On SQLite the hot rank is rewritten by the same UPDATE (ff_hot_score below is Python's
# hot_score): one statement fewer under the write lock for every vote.
_BUMP_VOTES_AND_HOT = (
    _IDEAS.update().where(_IDEAS.c.id == bindparam("idea_id"))
    .values(votes=_NEW_VOTES, hot=func.ff_hot_score(_NEW_VOTES, _IDEAS.c.created_at, type_=Float))
    .returning(_IDEAS.c.votes, _IDEAS.c.hot))
_SET_HOT = _IDEAS.update().where(_IDEAS.c.id == bindparam("idea_id")).values(hot=bindparam("hot"))
# What a vote needs of its idea as it is now (a row, not an Idea: loading the object
# cost more Python than the query), whether its thread is hidden, and whether the user
# has voted: one statement, built once (building it cost more than running it).
_IDEA_FOR_VOTE = (
    select(_IDEAS.c.id, _IDEAS.c.status, _IDEAS.c.round_id, _IDEAS.c.votes,
           _IDEAS.c.author_id, _IDEAS.c.board_id, Thread.hidden.label("hidden"),
           select(Vote.user_id).where(Vote.user_id == bindparam("user_id"),
                                      Vote.idea_id == _IDEAS.c.id).exists().label("voted"))
    .join(Thread, Thread.id == _IDEAS.c.thread_id).where(_IDEAS.c.id == bindparam("idea_id")))


def _live_round(idea):
    if idea.round_id is None:
        return None
    round_ = db.session.get(Round, idea.round_id)
    return round_ if round_.state() == "live" else None


@sqlite_function("ff_hot_score", 2)
def _hot_score_of_row(votes, created_at):
    """hot_score of a row as SQLite hands it over (created_at as its stored text)."""
    return hot_score(votes, datetime.fromisoformat(created_at))


def bump_votes(idea_id, delta):
    """Move the vote count by SQL and rewrite the hot rank from the new count.

    Elsewhere than SQLite, the first UPDATE holds the row until commit, so the count
    the second one reads cannot change in between.
    """
    params = {"idea_id": idea_id, "delta": delta}
    if dialect_name() == "sqlite":
        votes, hot = write(_BUMP_VOTES_AND_HOT, params).one()
    else:
        votes, created_at = write(_BUMP_VOTES, params).one()
        hot = hot_score(votes, created_at)
        write(_SET_HOT, {"idea_id": idea_id, "hot": hot})
    sync_loaded(Idea, idea_id, votes=votes, hot=hot)
    return votes


def vote(idea_id, user):
    """Vote for an idea; voting twice changes nothing. Returns the vote count.

    The idea is read (as a row) and checked before the write transaction;
    inside it, the vote's INSERT checks it again, so the write lock is held for a
    few statements only. A vote in a round, or one whose idea changed in between,
    takes the full path.
    """
    ensure_can_vote(user)
    user_id = user.id
    idea = db.session.connection().execute(
        _IDEA_FOR_VOTE, {"idea_id": idea_id, "user_id": user_id}).first()
    _check_open(idea, idea is not None and idea.hidden)
    if idea.voted:
        return idea.votes
    if idea.round_id is None:
        with transaction(reload=False):
            if insert_ignore_if(Vote, _TAKES_PLAIN_VOTES, {
                    "user_id": user_id, "idea_id": idea.id, "created_at": utcnow(),
                    "round_id": None}):
                votes = bump_votes(idea.id, 1)
                signals.idea_voted.send(idea, user=user, voted=True)
                return votes
    with transaction():
        return _vote_checked(idea_id, user)


def _vote_checked(idea_id, user):
    """The vote with every check inside the write transaction."""
    idea = _open_for_votes(idea_id)
    round_ = _live_round(idea)
    inserted = insert_ignore(Vote, user_id=user.id, idea_id=idea.id, created_at=utcnow(),
                             round_id=round_.id if round_ else None)
    if not inserted:
        return idea.votes
    if round_ is not None and not budget.spend(round_, user.id):
        raise Conflict(_("You have spent all %(n)d votes of this round.",
                         n=round_.vote_budget), code="budget_exhausted")
    votes = bump_votes(idea.id, 1)
    signals.idea_voted.send(idea, user=user, voted=True)
    return votes


def unvote(idea_id, user):
    """Withdraw a vote; withdrawing twice changes nothing. Returns the vote count."""
    ensure_can_vote(user)
    with transaction():
        idea = _open_for_votes(idea_id)
        gone = db.session.execute(
            delete(Vote).where(Vote.user_id == user.id, Vote.idea_id == idea.id)
            .returning(Vote.round_id)
        ).first()
        if gone is None:
            return idea.votes
        if gone.round_id is not None:
            round_ = db.session.get(Round, gone.round_id)
            if round_.state() == "live":
                budget.refund(round_, user.id)
        votes = bump_votes(idea.id, -1)
        signals.idea_voted.send(idea, user=user, voted=False)
    return votes


def status_label(status):
    return str(STATUS_NAMES.get(status, status))
