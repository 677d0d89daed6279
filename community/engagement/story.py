"""What a profile tells about a fan: level, medals, streak, and the fate of their ideas."""

from ..accounts.levels import progress
from ..ideas import lists
from . import checkin, medals


def profile_story(user, idea_limit=10):
    today, current, best = checkin.streaks(user.id)
    level, following, percent = progress(user.points)
    return {
        "level": level, "next_level": following, "level_percent": percent,
        "medals": medals.medals_of(user.id),
        "checked_in_today": today, "streak": current, "best_streak": best,
        "calendar": checkin.month(user.id),
        "ideas": lists.latest_by(user.id, idea_limit),
    }
