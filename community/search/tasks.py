"""Search's periodic job: apply the outbox, for rows whose after-request drain found
the index lock taken or whose process died first. Draining twice is harmless."""

from ..kernel import jobs
from . import drain


@jobs.periodic("search.drain", minute="*")
def drain_outbox():
    return f"{drain(time_budget=50, wait=10.0)} row(s) applied"
