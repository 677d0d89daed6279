"""What a profile tells about a fan: level, medals, streak, and the fate of their ideas."""

from sqlalchemy import select

from ..accounts.levels import progress
from ..ideas.models import Idea
from ..kernel.extensions import db
from . import checkin, medals


def profile_story(user, idea_limit=10):
    today, current, best = checkin.streaks(user.id)
    level, following, percent = progress(user.points)
    return {
        "level": level, "next_level": following, "level_percent": percent,
        "medals": medals.medals_of(user.id),
        "checked_in_today": today, "streak": current, "best_streak": best,
        "calendar": checkin.month(user.id),
        "ideas": db.session.scalars(select(Idea).where(Idea.author_id == user.id)
                                    .order_by(Idea.id.desc()).limit(idea_limit)).all(),
    }
