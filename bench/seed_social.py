"""Seeded follows, notifications and feed activity, derived from the rows by INSERT ... SELECT.

What the listeners would have written: voters, repliers and authors follow their ideas
(and, after a merge, its target); thread authors hear of replies; followers of an idea
hear of its status changes and merge; followers of a person hear of their new ideas.
Excerpts are cut from the Markdown source rather than the rendered HTML, the one
shortcut here. Older notifications are read, the last two weeks' unread.
"""

from datetime import timedelta

from sqlalchemy import String, and_, case, cast, func, insert, literal, null, or_, select, union_all

from community.accounts.follows import Follow
from community.forum.models import Post, Thread
from community.ideas.models import Idea, StatusChange, Vote
from community.notifications.models import Activity, Notification

from .seed_community import author

F, N, A = Follow.__table__, Notification.__table__, Activity.__table__
ID, V, P, T, S = (Idea.__table__, Vote.__table__, Post.__table__, Thread.__table__,
                 StatusChange.__table__)


def excerpt(column):
    return func.substr(column, 1, 280)


def follows(w, rng, plan, now):
    ideas = ID.alias("merged")
    reply = and_(P.c.position > 0)
    sources = union_all(
        select(ID.c.author_id.label("user_id"), ID.c.id.label("idea_id"), ID.c.created_at),
        select(V.c.user_id, V.c.idea_id, V.c.created_at),
        select(P.c.author_id, ID.c.id, P.c.created_at).join(ID, ID.c.thread_id == P.c.thread_id)
        .where(reply),
        # statuses.merge copies the source's followers onto the target
        select(ideas.c.author_id, ideas.c.merged_into_id, ideas.c.status_changed_at)
        .where(ideas.c.merged_into_id.is_not(None)),
        select(P.c.author_id, ideas.c.merged_into_id, ideas.c.status_changed_at)
        .join(ideas, ideas.c.thread_id == P.c.thread_id)
        .where(reply, ideas.c.merged_into_id.is_not(None)),
    ).subquery()
    w.execute("follows (ideas)", insert(F).from_select(
        ["user_id", "target_type", "target_id", "created_at"],
        select(sources.c.user_id, literal("idea", String), sources.c.idea_id,
               func.min(sources.c.created_at)).group_by(sources.c.user_id, sources.c.idea_id)))
    people, seen = [], set()
    for user in range(1, plan["users"] + 1):
        for _ in range(rng.choice((0, 1, 2, 2, 3, 4))):
            target = ("user", author(rng, plan["users"])) if rng.random() < 0.6 \
                else ("board", rng.randrange(1, plan["boards"] + 1))
            if target != ("user", user) and (user, *target) not in seen:
                seen.add((user, *target))
                people.append({"user_id": user, "target_type": target[0], "target_id": target[1],
                               "created_at": now - timedelta(days=rng.uniform(0, 300))})
    w.insert(Follow, people, len(people), "follows (people, boards)")


def _read_at(created, cutoff):
    return case((created < cutoff, created), else_=null())


def notifications(w, now):
    cutoff = now - timedelta(days=14)
    cols = ["user_id", "kind", "actor_id", "target_type", "target_id", "idea_id", "thread_id",
            "post_id", "title", "excerpt", "detail", "created_at", "read_at"]
    replies = (
        select(T.c.author_id, literal("reply"), P.c.author_id, literal("post"), P.c.id, ID.c.id,
               T.c.id, P.c.id, T.c.title, excerpt(P.c.body), literal(""), P.c.created_at,
               _read_at(P.c.created_at, cutoff))
        .select_from(P.join(T, T.c.id == P.c.thread_id).outerjoin(ID, ID.c.thread_id == T.c.id))
        .where(P.c.position > 0, P.c.author_id != T.c.author_id))
    new_ideas = (
        select(F.c.user_id, literal("new_idea"), ID.c.author_id, literal("idea"), ID.c.id, ID.c.id,
               T.c.id, null(), T.c.title, literal(""), literal(""), ID.c.created_at,
               _read_at(ID.c.created_at, cutoff))
        .select_from(F.join(ID, and_(F.c.target_type == "user", F.c.target_id == ID.c.author_id))
                     .join(T, T.c.id == ID.c.thread_id))
        .where(F.c.user_id != ID.c.author_id, ID.c.created_at > F.c.created_at))
    kind = case((S.c.to_status == "merged", "idea_merged"),
                (S.c.from_status != S.c.to_status, "idea_status"), else_="idea_response")
    statuses = (
        select(F.c.user_id, kind, S.c.actor_id,
               case((S.c.to_status == "merged", "idea"), else_="status_change"),
               case((S.c.to_status == "merged", ID.c.merged_into_id), else_=S.c.id), ID.c.id,
               ID.c.thread_id, null(), T.c.title, excerpt(S.c.response), S.c.to_status,
               S.c.created_at, _read_at(S.c.created_at, cutoff))
        .select_from(S.join(ID, ID.c.id == S.c.idea_id).join(T, T.c.id == ID.c.thread_id)
                     .join(F, and_(F.c.target_type == "idea", F.c.target_id == S.c.idea_id)))
        .where(F.c.user_id != S.c.actor_id, F.c.created_at <= S.c.created_at))
    every = union_all(replies, new_ideas, statuses).subquery()
    w.execute("notifications", insert(N).from_select(
        cols, select(*every.c).order_by(every.c[11])))


def activities(w):
    cols = ["kind", "actor_id", "board_id", "idea_id", "thread_id", "post_id", "target_type",
            "target_id", "title", "excerpt", "detail", "created_at", "hidden"]
    opening = P.alias("opening")
    threads = (
        select(literal("thread"), T.c.author_id, T.c.board_id, null(), T.c.id, opening.c.id,
               literal("post"), opening.c.id, T.c.title, excerpt(opening.c.body), literal(""),
               T.c.created_at, T.c.hidden)
        .select_from(T.join(opening, and_(opening.c.thread_id == T.c.id, opening.c.position == 0)))
        .where(T.c.kind == "discussion", T.c.listed.is_(True)))
    gone = or_(T.c.hidden.is_(True), P.c.hidden.is_(True), P.c.deleted_at.is_not(None))
    replies = (
        select(literal("reply"), P.c.author_id, T.c.board_id, ID.c.id, T.c.id, P.c.id,
               literal("post"), P.c.id, T.c.title, excerpt(P.c.body), literal(""),
               P.c.created_at, case((gone, True), else_=False))
        .select_from(P.join(T, T.c.id == P.c.thread_id).outerjoin(ID, ID.c.thread_id == T.c.id))
        .where(P.c.position > 0, T.c.kind.in_(("discussion", "idea"))))
    ideas = (
        select(literal("idea"), ID.c.author_id, ID.c.board_id, ID.c.id, T.c.id, null(),
               literal("idea"), ID.c.id, T.c.title, literal(""), literal(""), ID.c.created_at,
               T.c.hidden)
        .select_from(ID.join(T, T.c.id == ID.c.thread_id)))
    kind = case((S.c.to_status == "merged", "idea_merged"),
                (S.c.from_status != S.c.to_status, "idea_status"), else_="idea_response")
    statuses = (
        select(kind, S.c.actor_id, ID.c.board_id, ID.c.id, ID.c.thread_id, null(),
               case((S.c.to_status == "merged", "idea"), else_="status_change"),
               case((S.c.to_status == "merged", ID.c.merged_into_id), else_=S.c.id), T.c.title,
               excerpt(S.c.response), cast(S.c.to_status, String), S.c.created_at, T.c.hidden)
        .select_from(S.join(ID, ID.c.id == S.c.idea_id).join(T, T.c.id == ID.c.thread_id)))
    every = union_all(threads, replies, ideas, statuses).subquery()
    w.execute("activities", insert(A).from_select(cols, select(*every.c).order_by(every.c[11])))
