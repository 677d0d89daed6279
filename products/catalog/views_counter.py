"""Product page views, counted in memory and written in batches.

A page view only bumps a number in this process. The numbers go to the database
with one `UPDATE products SET view_count = view_count + n` per product when a
batch is due (PRODUCT_VIEWS_FLUSH_SECONDS have passed or PRODUCT_VIEWS_FLUSH_AT views
piled up), checked at the end of each request; at process exit; and by
`flask --app app products flush-views`, which flushes the buffer of the process it
runs in.

Each gunicorn worker keeps its own buffer, so the stored count trails the truth
by at most a batch per worker, and a worker killed hard (SIGKILL, OOM) loses its
unflushed views. That is the price of no write per page view.
"""

import atexit
import threading
import time
import weakref
from collections import Counter

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import bindparam, select, update

from community.kernel.compiled import rows_among
from community.kernel.extensions import db

from .models import Product

EXTENSION = "fanforge_product_views"


class ViewCounter:
    def __init__(self, flush_seconds=10.0, flush_at=100, clock=time.monotonic):
        self.flush_seconds, self.flush_at, self.clock = flush_seconds, flush_at, clock
        self._lock = threading.Lock()
        self._pending = Counter()
        self._total = 0
        self._last_flush = clock()

    def record(self, product_id, n=1):
        with self._lock:
            self._pending[product_id] += n
            self._total += n

    def pending(self, product_id=None):
        with self._lock:
            return self._total if product_id is None else self._pending.get(product_id, 0)

    def due(self):
        with self._lock:
            return bool(self._total) and (
                self._total >= self.flush_at
                or self.clock() - self._last_flush >= self.flush_seconds)

    def flush(self, engine):
        """Write the buffer: one UPDATE per product, one transaction. Returns the views
        written. On failure the views go back into the buffer for the next try."""
        with self._lock:
            batch, self._pending, self._total = self._pending, Counter(), 0
            self._last_flush = self.clock()
        if not batch:
            return 0
        try:
            # A connection of its own, not the request's session. Its first statement
            # writes, so SQLite's deferred BEGIN never has a read lock to upgrade.
            with engine.begin() as conn:
                # Ids in order: two workers flushing at once lock rows in the same order.
                for product_id in sorted(batch):
                    conn.execute(update(Product).where(Product.id == product_id)
                                 .values(view_count=Product.view_count + batch[product_id]))
        except BaseException:
            with self._lock:
                self._pending.update(batch)
                self._total += sum(batch.values())
            raise
        return sum(batch.values())


def counter(app=None):
    return (app or current_app).extensions[EXTENSION]


def record(product_id):
    counter().record(product_id)


def pending(product_id):
    return counter().pending(product_id)


def flush(app=None):
    app = app or current_app
    return counter(app).flush(db.engine)


def init_app(app):
    app.extensions[EXTENSION] = ViewCounter(
        float(app.config.get("PRODUCT_VIEWS_FLUSH_SECONDS", 10)),
        int(app.config.get("PRODUCT_VIEWS_FLUSH_AT", 100)))

    @app.teardown_request
    def flush_when_due(_exc):
        views = counter(app)
        if views.due():
            try:
                views.flush(db.engine)
            except Exception:
                app.logger.exception("Flushing product views failed; they wait for the next batch")

    if not app.testing:
        atexit.register(_flush_at_exit, weakref.ref(app))


def _flush_at_exit(app_ref):
    app = app_ref()
    if app is None or not counter(app).pending():
        return
    with app.app_context():
        try:
            flush(app)
        except Exception:
            app.logger.exception("Product views lost at exit")


# Built once and run on the connection: every signed-in product page asks.
_VIEW_COUNTS = select(Product.id, Product.view_count).where(
    Product.id.in_(bindparam("ids", expanding=True)))


def views_holes(_viewer, args):
    """The product page's view count, stored and buffered, as of this response: a hole
    (community/web/pagecache/holes.py), so a signed-in reader of a shared page sees it move."""
    ids = [int(arg) for arg in args]
    stored = dict(rows_among(_VIEW_COUNTS, ids))
    return {str(i): ngettext("%(num)d view", "%(num)d views", stored[i] + pending(i))
            for i in ids if i in stored}
