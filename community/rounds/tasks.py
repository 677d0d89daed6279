"""Rounds' periodic job: announce rounds that started and close those that ended
(as `flask rounds close-due` does); running it twice changes nothing."""

from ..kernel import jobs
from . import service


@jobs.periodic("rounds.close_due", minute="*")
def close_due():
    opened, closed = service.close_due()
    return f"{opened} opened, {closed} closed"
