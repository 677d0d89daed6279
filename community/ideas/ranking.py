"""Ranking arithmetic, kept pure so it is easy to test and to reuse in bulk loads."""

import math
from datetime import datetime

# Reddit's hot rank: ten times the votes is worth 12.5 hours of age.
EPOCH = datetime(2026, 1, 1)
DECAY_SECONDS = 45_000


def hot_score(votes, created_at):
    order = math.log10(max(votes, 1))
    return round(order + (created_at - EPOCH).total_seconds() / DECAY_SECONDS, 7)
