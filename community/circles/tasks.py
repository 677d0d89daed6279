"""Circles' periodic job: remind those going to a meetup the day before (notices.py).
Running it twice, or on two workers at once, reminds nobody twice."""

from ..kernel import jobs
from . import notices


@jobs.periodic("circles.remind_meetups", minute="*/10")
def remind_meetups():
    return f"{notices.remind_due()} meetups within a day"
