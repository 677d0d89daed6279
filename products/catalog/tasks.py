"""The catalog's periodic job: write the product views this process has buffered.

Views are buffered in the process that served the page (views_counter.py): each web
process writes its own batch at the end of a request when one is due, and at exit.
Moving the buffer to a shared store would bring back a write (or a Redis round trip)
per page view, which is what the buffer exists to avoid. So this job flushes what the
worker process itself holds: nothing today, as workers serve no pages, but any code run
by a worker that records a view is written within a minute, and `flask products
flush-views` keeps the same meaning everywhere. Flushing an empty buffer costs nothing.
"""

from community.kernel import jobs

from . import views_counter


@jobs.periodic("catalog.flush_views", minute="*")
def flush_views():
    return f"{views_counter.flush()} view(s) written"
