"""Levels: a pure function of an account's points (engagement moves the points), so
showing one beside a name costs no query."""

from bisect import bisect_right
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Level:
    number: int
    points: int  # points needed to reach it
    name: object  # lazily translated

    def __str__(self):
        return str(self.name)


LEVELS = [
    Level(1, 0, _l("Newcomer")),
    Level(2, 20, _l("Fan")),
    Level(3, 60, _l("Regular")),
    Level(4, 150, _l("Devotee")),
    Level(5, 300, _l("Expert")),
    Level(6, 600, _l("Pioneer")),
    Level(7, 1_000, _l("Co-maker")),
    Level(8, 1_600, _l("Veteran")),
    Level(9, 2_500, _l("Elder")),
    Level(10, 4_000, _l("Honoured fan")),
    Level(11, 6_000, _l("Legend")),
    Level(12, 9_000, _l("Founding spirit")),
]
_THRESHOLDS = [level.points for level in LEVELS]


def level_for(points):
    return LEVELS[max(0, bisect_right(_THRESHOLDS, points or 0) - 1)]


def progress(points):
    """(level, next level or None, percent of the way there)."""
    level = level_for(points)
    following = LEVELS[level.number] if level.number < len(LEVELS) else None
    if following is None:
        return level, None, 100
    span = following.points - level.points
    return level, following, int(100 * (points - level.points) / span)
