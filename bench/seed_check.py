"""The closing check of a seed: every stored counter and score against the rows it counts.

Each check is one COUNT of the rows whose counter disagrees with a COUNT/SUM over the
rows it stands for (or, for hot scores, a pass in Python with ranking.hot_score).
Zero everywhere means the seeded database is one the services could have produced.
"""

import time

from sqlalchemy import and_, func, or_, select

from community.accounts.models import User
from community.engagement.models import PointEntry
from community.forum.models import Board, Post, PostLike, Thread
from community.ideas.models import Idea, IdeaCount, Vote
from community.ideas.ranking import hot_score
from products.campaigns.models import Campaign, CampaignBuyer, Tier
from products.catalog.models import CoCreator, Poll, PollOption, PollVote, Product
from products.orders.models import Order


def _count(stmt):
    return select(func.count()).select_from(stmt.subquery())


def _scalar(stmt):
    return func.coalesce(stmt.scalar_subquery(), 0)


def _pledged():
    """Orders whose units a campaign still counts: all but those the buyer cancelled."""
    return or_(Order.cancel_reason.is_(None), Order.cancel_reason != "buyer")


def checks():
    posts_of = select(func.count()).where(Post.thread_id == Thread.id, Post.position > 0)
    board_posts = select(func.count()).select_from(Post).join(Thread, Thread.id == Post.thread_id) \
        .where(Thread.board_id == Board.id)
    board_last = select(func.max(Post.created_at)).join(Thread, Thread.id == Post.thread_id) \
        .where(Thread.board_id == Board.id)
    listed = select(func.count()).where(Thread.board_id == Board.id, Thread.listed.is_(True))
    last_thread = select(Thread.id).where(Thread.board_id == Board.id, Thread.listed.is_(True)) \
        .order_by(Thread.last_post_at.desc(), Thread.id.desc()).limit(1)
    units = select(func.sum(Order.quantity)).where(_pledged())
    return {
        "ideas.votes = vote rows": select(Idea.id).where(
            Idea.votes != _scalar(select(func.count()).where(Vote.idea_id == Idea.id))),
        "threads.reply_count = replies": select(Thread.id).where(
            Thread.reply_count != _scalar(posts_of)),
        "every thread has post 0": select(Thread.id).where(~select(Post.id).where(
            Post.thread_id == Thread.id, Post.position == 0).exists()),
        "threads.last_post_at": select(Thread.id).where(Thread.last_post_at != select(
            func.max(Post.created_at)).where(Post.thread_id == Thread.id).scalar_subquery()),
        "positions 0..reply_count": select(Post.thread_id).group_by(Post.thread_id).having(
            func.max(Post.position) != func.count() - 1),
        "boards counters": select(Board.id).where(or_(
            Board.thread_count != _scalar(listed), Board.post_count != _scalar(board_posts),
            Board.last_post_at != board_last.scalar_subquery(),
            Board.last_thread_id != last_thread.scalar_subquery())),
        "posts.like_count = likes": select(Post.id).where(
            Post.like_count != _scalar(select(func.count()).where(PostLike.post_id == Post.id))),
        "products.cocreator_count": select(Product.id).where(Product.cocreator_count != _scalar(
            select(func.count()).where(CoCreator.product_id == Product.id))),
        "campaigns.reserved_units": select(Campaign.id).where(Campaign.reserved_units != _scalar(
            units.where(Order.campaign_id == Campaign.id))),
        "campaigns.backer_count": select(Campaign.id).where(Campaign.backer_count != _scalar(
            select(func.count()).where(CampaignBuyer.campaign_id == Campaign.id,
                                       CampaignBuyer.units > 0))),
        "tiers.reserved_units": select(Tier.id).where(Tier.reserved_units != _scalar(
            units.where(Order.tier_id == Tier.id))),
        "campaign_buyers.units": select(CampaignBuyer.user_id).where(
            CampaignBuyer.units != _scalar(units.where(
                Order.campaign_id == CampaignBuyer.campaign_id,
                Order.buyer_id == CampaignBuyer.user_id))),
        "polls.vote_count": select(Poll.id).where(Poll.vote_count != _scalar(
            select(func.count()).where(PollVote.poll_id == Poll.id))),
        "poll_options.votes": select(PollOption.id).where(PollOption.votes != _scalar(
            select(func.count()).where(PollVote.option_id == PollOption.id))),
        "users.points = ledger": select(User.id).where(User.points != _scalar(
            select(func.sum(PointEntry.points)).where(PointEntry.user_id == User.id))),
        "campaigns within cap": select(Campaign.id).where(or_(
            Campaign.reserved_units > Campaign.cap_units, Campaign.reserved_units < 0)),
        "votes not after close": select(Vote.idea_id).join(Idea, Idea.id == Vote.idea_id).where(
            and_(Idea.status.in_(("shipped", "declined", "merged")), Vote.merged_from_id.is_(None),
                 Vote.created_at > Idea.status_changed_at)),
    }


def run(conn):
    """{check: rows that disagree}; prints one line per check."""
    results = {}
    for label, stmt in checks().items():
        start = time.monotonic()
        results[label] = conn.execute(_count(stmt)).scalar()
        print(f"  check {label:<30} {results[label]:>8} wrong {time.monotonic() - start:6.1f}s")
    start = time.monotonic()
    wrong = sum(1 for _id, votes, created, hot in conn.execute(
        select(Idea.id, Idea.votes, Idea.created_at, Idea.hot))
        if abs(hot_score(votes, created) - hot) > 1e-6)
    results["ideas.hot = hot_score(votes)"] = wrong
    print(f"  check {'ideas.hot = hot_score(votes)':<30} {wrong:>8} wrong "
          f"{time.monotonic() - start:6.1f}s")
    by_rows = dict(((b, s), n) for b, s, n in conn.execute(
        select(Idea.board_id, Idea.status, func.count()).group_by(Idea.board_id, Idea.status)))
    kept = {(b, s): n for b, s, n in conn.execute(
        select(IdeaCount.board_id, IdeaCount.status, IdeaCount.n)) if n}
    results["idea_counts = ideas"] = len(set(by_rows.items()) ^ set(kept.items()))
    print(f"  check {'idea_counts = ideas':<30} {results['idea_counts = ideas']:>8} wrong")
    return results
