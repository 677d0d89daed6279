"""The table of point rules: what earns points, how many, and the daily caps.

Each rule reads its activity straight from the rows that record it, so the
ledger can always be rebuilt from them (`flask --app app engagement recompute`).
A rule's query yields (user_id, ref, at, board_id[, extra]) in time order;
`ref` makes the ledger source unique. Nothing is earned from one's own likes
or votes on one's own content, and hidden or removed content earns nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, null, select

from ..forum.models import Post, PostLike, Thread
from ..ideas.models import Idea, StatusChange, Vote
from .models import CheckIn


@dataclass(frozen=True)
class Rule:
    kind: str
    points: int
    daily_cap: int | None
    query: Callable  # (user_id | None, start | None, end | None) -> Select
    prefix: str
    bonus: Callable | None = None  # extra points from the row's fifth column

    def award(self, row):
        return self.points + (self.bonus(row[4]) if self.bonus else 0)


def _window(stmt, user_col, time_col, user_id, start, end):
    if user_id is not None:
        stmt = stmt.where(user_col == user_id)
    if start is not None:
        stmt = stmt.where(time_col >= start, time_col < end)
    return stmt.order_by(time_col, *stmt.selected_columns[1:2])


def _visible_thread():
    return Thread.hidden.is_(False)


def threads(user_id=None, start=None, end=None):
    opening = and_(Post.thread_id == Thread.id, Post.position == 0)
    stmt = (select(Thread.author_id, Thread.id, Thread.created_at, Thread.board_id)
            .join(Post, opening)
            .where(Thread.kind == "discussion", _visible_thread(), Post.deleted_at.is_(None)))
    return _window(stmt, Thread.author_id, Thread.created_at, user_id, start, end)


def replies(user_id=None, start=None, end=None):
    stmt = (select(Post.author_id, Post.id, Post.created_at, Thread.board_id)
            .join(Thread, Thread.id == Post.thread_id)
            .where(Post.position > 0, Post.hidden.is_(False), Post.deleted_at.is_(None),
                   _visible_thread()))
    return _window(stmt, Post.author_id, Post.created_at, user_id, start, end)


def ideas(user_id=None, start=None, end=None):
    stmt = (select(Idea.author_id, Idea.id, Idea.created_at, Idea.board_id)
            .join(Thread, Thread.id == Idea.thread_id).where(_visible_thread()))
    return _window(stmt, Idea.author_id, Idea.created_at, user_id, start, end)


def _votes_on_visible_ideas(*columns):
    return (select(*columns).join(Idea, Idea.id == Vote.idea_id)
            .join(Thread, Thread.id == Idea.thread_id)
            .where(_visible_thread(), Vote.user_id != Idea.author_id, Vote.merged_from_id.is_(None)))


def votes_cast(user_id=None, start=None, end=None):
    stmt = _votes_on_visible_ideas(Vote.user_id, Vote.idea_id, Vote.created_at, Idea.board_id)
    return _window(stmt, Vote.user_id, Vote.created_at, user_id, start, end)


def votes_received(user_id=None, start=None, end=None):
    stmt = _votes_on_visible_ideas(Idea.author_id, Vote.idea_id, Vote.created_at, Idea.board_id,
                                   Vote.user_id)
    return _window(stmt, Idea.author_id, Vote.created_at, user_id, start, end)


def likes_received(user_id=None, start=None, end=None):
    stmt = (select(Post.author_id, PostLike.post_id, PostLike.created_at, Thread.board_id,
                   PostLike.user_id)
            .join(Post, Post.id == PostLike.post_id).join(Thread, Thread.id == Post.thread_id)
            .where(PostLike.user_id != Post.author_id, Post.hidden.is_(False),
                   Post.deleted_at.is_(None), _visible_thread()))
    return _window(stmt, Post.author_id, PostLike.created_at, user_id, start, end)


def _accepted(status):
    def query(user_id=None, start=None, end=None):
        stmt = (select(Idea.author_id, Idea.id, StatusChange.created_at, Idea.board_id)
                .join(Idea, Idea.id == StatusChange.idea_id)
                .where(StatusChange.to_status == status, StatusChange.from_status != status))
        return _window(stmt, Idea.author_id, StatusChange.created_at, user_id, start, end)
    return query


def checkins(user_id=None, start=None, end=None):
    stmt = select(CheckIn.user_id, CheckIn.day, CheckIn.created_at, null(), CheckIn.streak)
    return _window(stmt, CheckIn.user_id, CheckIn.created_at, user_id, start, end)


def streak_bonus(streak):
    """One extra point per day of the streak after the first, up to five."""
    return min(max(streak - 1, 0), 5)


RULES = {rule.kind: rule for rule in (
    Rule("thread", 5, 25, threads, "thread"),
    Rule("reply", 2, 20, replies, "post"),
    Rule("idea", 10, 30, ideas, "idea"),
    Rule("vote_cast", 1, 10, votes_cast, "vote"),
    Rule("vote_received", 2, 40, votes_received, "voted"),
    Rule("like_received", 1, 20, likes_received, "liked"),
    Rule("idea_planned", 20, None, _accepted("planned"), "planned"),
    Rule("idea_shipped", 50, None, _accepted("shipped"), "shipped"),
    Rule("checkin", 2, None, checkins, "checkin", bonus=streak_bonus),
)}


def register(rule):
    """Another package adds a rule (products: joining a product)."""
    RULES[rule.kind] = rule


def source_of(rule, row):
    parts = [rule.prefix, str(row[1])]
    if len(row) > 4 and row[4] is not None and rule.bonus is None:
        parts.append(str(row[4]))  # whose like or vote it was
    return ":".join(parts)
