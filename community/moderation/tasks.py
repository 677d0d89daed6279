"""Moderation's periodic job: tidy the columns of suspensions the clock has ended (they
are over either way: User.is_suspended reads the clock)."""

from ..kernel import jobs
from . import service


@jobs.periodic("moderation.tidy_suspensions", minute="*/15")
def tidy_suspensions():
    return f"{service.tidy_ended()} ended suspension(s) tidied"
