"""Seeded ideas: votes (distinct voters), statuses with their timeline, merges, tags.

ideas.votes counts the idea's vote rows (merge copies included, as statuses.merge
writes them) and ideas.hot is community/ideas/ranking.py's hot_score of that count,
so the stored scores are the ones a vote through the service would leave.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, select

from community.ideas.models import Idea, IdeaCount, IdeaTag, StatusChange, Vote
from community.ideas.ranking import hot_score

from .seed_community import STAFF, spread

RESPONSES = [
    "感谢建议！我们已经排进了路线图。Thanks, this is on the roadmap.",
    "This shipped in firmware **2.3**: update from the app.",
    "我们评估后暂时不做，原因是续航代价太大。Declined for now: the battery cost is too high.",
    "Under review with the hardware team; we'll report back here.",
    "正在开发中，预计下个季度发布。In progress, expected next quarter.",
]
TOP_MIX = [("open", 40), ("under_review", 15), ("planned", 15), ("in_progress", 10),
           ("shipped", 12), ("declined", 8)]
REST_MIX = [("open", 86), ("under_review", 5), ("planned", 2), ("in_progress", 1),
            ("shipped", 1.5), ("declined", 4.5)]
CLOSED = ("shipped", "declined", "merged")


@dataclass
class IdeaPlan:
    id: int
    thread: object
    votes: int
    status: str = "open"
    changed_at: object = None
    merged_into: int | None = None
    voters: list | None = None


def plan_ideas(rng, plan, now, threads, showcase):
    idea_threads = [t for t in threads if t.kind == "idea"]
    cap = plan["users"] - 1
    counts = spread(rng, plan["votes"], len(idea_threads), 1.6, cap)
    ideas = [IdeaPlan(i + 1, t, k) for i, (t, k) in enumerate(zip(idea_threads, counts, strict=True))]
    by_thread = {i.thread.id: i for i in ideas}
    show = by_thread[showcase.id]
    show.votes = min(plan["showcase_votes"], cap)
    top = sorted(counts, reverse=True)[max(0, len(counts) // 20 - 1)] if counts else 0
    for idea in ideas:
        if idea is show:
            continue
        mix = TOP_MIX if idea.votes >= top else REST_MIX
        idea.status = rng.choices([s for s, _ in mix], [p for _, p in mix])[0]
        idea.thread.hidden = rng.random() < 0.003
    _plan_merges(rng, ideas, show, top)
    for idea in ideas:
        age = (now - idea.thread.created_at).total_seconds()
        idea.changed_at = (idea.thread.created_at if idea.status == "open" else
                           idea.thread.created_at + timedelta(seconds=age * (0.2 + 0.6 * rng.random())))
    return ideas, show


def _plan_merges(rng, ideas, show, top):
    """Half a percent of ordinary ideas are merged into a popular idea of their board."""
    targets = {}
    for idea in ideas:
        if idea.votes >= top and idea.status not in CLOSED and not idea.thread.hidden:
            targets.setdefault(idea.thread.board_id, []).append(idea)
    for idea in ideas:
        if idea is show or idea.votes >= top or rng.random() >= 0.005:
            continue
        choices = targets.get(idea.thread.board_id)
        if choices:
            idea.status, idea.merged_into = "merged", rng.choice(choices).id
            idea.thread.locked = True


def _vote_times(rng, idea, now, k):
    """Most votes come soon after an idea appears; none after voting closed."""
    start = idea.thread.created_at
    end = idea.changed_at if idea.status in CLOSED else now
    # a millisecond short of the end: timedelta rounding must not step past it
    span = max((end - start).total_seconds() - 0.001, 0.0)
    return [start + timedelta(seconds=span * rng.random() ** 2) for _ in range(k)]


def copy_merged_votes(rng, plan, now, ideas):
    """Draw voters of merged ideas and their targets first: the copies change the counts."""
    population = range(1, plan["users"] + 1)
    by_id = {i.id: i for i in ideas}
    involved = {i.id for i in ideas if i.merged_into} | {i.merged_into for i in ideas if i.merged_into}
    for idea_id in involved:
        idea = by_id[idea_id]
        times = _vote_times(rng, idea, now, idea.votes)
        idea.voters = list(zip(rng.sample(population, idea.votes), times, strict=True))
    copies, voted = [], {}
    for source in (i for i in ideas if i.merged_into):
        target = by_id[source.merged_into]
        have = voted.setdefault(target.id, {user for user, _t in target.voters})
        for user, moment in source.voters:
            if user not in have:
                copies.append({"user_id": user, "idea_id": target.id, "created_at": moment,
                               "merged_from_id": source.id})
                target.votes += 1
                have.add(user)
    return copies


def write_ideas(w, rng, plan, now, ideas):
    w.insert(Idea, ({
        "id": i.id, "board_id": i.thread.board_id, "thread_id": i.thread.id,
        "author_id": i.thread.author_id, "status": i.status, "votes": i.votes,
        "hot": hot_score(i.votes, i.thread.created_at), "created_at": i.thread.created_at,
        "status_changed_at": i.changed_at, "merged_into_id": None} for i in ideas), len(ideas))
    merged = [{"id": i.id, "merged_into_id": i.merged_into} for i in ideas if i.merged_into]
    if merged:  # a second pass: the targets exist now, whatever their ids
        from sqlalchemy import bindparam, update

        table = Idea.__table__
        w.conn.execute(update(table).where(table.c.id == bindparam("mid"))
                       .values(merged_into_id=bindparam("into")),
                       [{"mid": m["id"], "into": m["merged_into_id"]} for m in merged])
        w.conn.commit()
    tags = []
    for idea in ideas:
        if rng.random() < 0.3:
            first = (idea.thread.board_id - 1) * 6 + 1
            for tag in rng.sample(range(first, first + 6), rng.choice((1, 1, 2))):
                tags.append({"idea_id": idea.id, "tag_id": tag})
    w.insert(IdeaTag, tags, len(tags))


def write_votes(w, rng, plan, now, ideas, copies):
    population = range(1, plan["users"] + 1)
    direct = sum(i.votes for i in ideas) - len(copies)

    def rows():
        for idea in ideas:
            if idea.voters is not None:
                pairs = idea.voters
            else:
                k = idea.votes
                pairs = zip(rng.sample(population, k), _vote_times(rng, idea, now, k), strict=True)
            for user, moment in pairs:
                yield {"user_id": user, "idea_id": idea.id, "created_at": moment}

    w.insert(Vote, rows(), direct, "votes")
    if copies:
        w.insert(Vote, copies, len(copies), "votes (merge copies)")


def write_statuses(w, rng, ideas, bodies_render):
    """The timeline: open -> status (shipped goes by way of planned), with responses."""
    rendered = [bodies_render(r) for r in RESPONSES]
    rows = []
    for idea in ideas:
        if idea.status == "open":
            continue
        steps = [("open", "planned"), ("planned", "shipped")] if idea.status == "shipped" \
            else [("open", idea.status)]
        for n, (before, after) in enumerate(steps):
            k = rng.randrange(len(RESPONSES))
            # shipped: planned half-way between the idea's birth and the shipping
            moment = idea.changed_at - (idea.changed_at - idea.thread.created_at) / 2 \
                if n < len(steps) - 1 else idea.changed_at
            text = f"Merged into #{idea.merged_into}." if after == "merged" else RESPONSES[k]
            rows.append({"idea_id": idea.id, "actor_id": rng.choice(STAFF), "from_status": before,
                         "to_status": after, "response": text,
                         "response_html": bodies_render(text) if after == "merged" else rendered[k],
                         "created_at": moment})
    rows.sort(key=lambda r: r["created_at"])
    w.insert(StatusChange, rows, len(rows), "idea_status_changes")


def idea_counts(w):
    """idea_counts per (board, status), from the rows, as move_count keeps them."""
    table = Idea.__table__
    stmt = insert(IdeaCount.__table__).from_select(
        ["board_id", "status", "n"],
        select(table.c.board_id, table.c.status, func.count()).group_by(table.c.board_id,
                                                                        table.c.status))
    w.execute("idea_counts", stmt)
