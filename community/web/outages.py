"""When the database cannot answer: which failures mean that, and one log line per outage.

A database that is unreachable, frozen past its deadline or refusing connections is an
outage (503, "unavailable"); a disk with no room for a write is "full" (507). Each gunicorn
worker logs the first failure of an outage as a warning with its cause and the first answer
after it as recovered, instead of a traceback per request. Anything else (a missing table,
a bug) is not an outage: it stays a 500 with its traceback.
"""

import logging
import sqlite3
import threading
import time

from flask import current_app, g, has_request_context, request, session
from sqlalchemy import event, exc

from ..kernel.database import WRITE_OPTION
from ..kernel.extensions import db

log = logging.getLogger(__name__)

UNAVAILABLE, FULL = "unavailable", "full"
# SQLite errors that are the file's situation, not the code's: busy past the timeout,
# unreadable or unopenable file, read-only disk.
_SQLITE_UNAVAILABLE = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR,
                       sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PROTOCOL}
_PG_DISK_FULL = "53100"
# PostgreSQL's classes of the server's situation: connection exception, insufficient
# resources (too many connections), operator intervention (statement timeout, shutdown).
_PG_UNAVAILABLE_CLASSES = ("08", "53", "57")


def classify(error):
    """FULL, UNAVAILABLE or None for a SQLAlchemy error."""
    if isinstance(error, exc.TimeoutError):  # no pooled connection came free in time
        return UNAVAILABLE
    if not isinstance(error, exc.DBAPIError):
        return None
    orig = error.orig
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        if code == sqlite3.SQLITE_FULL:
            return FULL
        if code is not None and code & 0xFF in _SQLITE_UNAVAILABLE:
            return UNAVAILABLE
        return None
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate == _PG_DISK_FULL:
        return FULL
    if error.connection_invalidated or (sqlstate or "")[:2] in _PG_UNAVAILABLE_CLASSES:
        return UNAVAILABLE
    # No SQLSTATE: the client's own failure (refused, lost, timed out while connecting).
    if sqlstate is None and isinstance(error, exc.OperationalError | exc.InterfaceError):
        return UNAVAILABLE
    return None


def cause(error):
    """One line: the driver's first line of the message."""
    orig = getattr(error, "orig", None) or error
    text = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {text[0] if text else ''}"


class Outage:
    """This process's view of the database: since when it failed, and how often."""

    def __init__(self):
        self.lock = threading.Lock()
        self.since = None
        self.kind = None
        self.failures = 0

    @property
    def down(self):
        return self.since is not None

    def failed(self, kind, error):
        with self.lock:
            self.failures += 1
            if self.since is not None and self.kind == kind:
                return
            self.since, self.kind, self.failures = time.monotonic(), kind, 1
        log.warning("database %s: %s (logged once until it answers again)",
                    "out of space" if kind == FULL else "unavailable", cause(error))

    def recovered(self):
        with self.lock:
            if self.since is None:
                return
            lasted, failures, kind = time.monotonic() - self.since, self.failures, self.kind
            self.since = self.kind = None
        log.warning("database answering again after %.1f s (%s; %d requests refused)",
                    lasted, kind, failures)


OUTAGE = Outage()


def _answered(_dbapi_connection, _record, _proxy):
    """A connection checked out (on PostgreSQL: it answered its SET): this request has
    reached the database. One attribute test a checkout outside an outage."""
    if OUTAGE.down and has_request_context():
        g.database_answered = True


def _wrote(conn):
    """A write use case's transaction (database.begin_write) is committing."""
    if OUTAGE.down and has_request_context() and conn.get_execution_options().get(WRITE_OPTION):
        g.database_wrote = True


def after_request(response):
    """The outage ends with the first request that reached the database (committed a
    write, for a full disk) and was answered without a server error; a cached page or a
    request that never asked the database proves nothing."""
    if OUTAGE.down and response.status_code < 500 and g.get(
            "database_wrote" if OUTAGE.kind == FULL else "database_answered"):
        OUTAGE.recovered()
    return response


def init_app(app):
    app.after_request(after_request)
    with app.app_context():
        for engine in db.engines.values():
            event.listen(engine, "checkout", _answered)
            event.listen(engine, "commit", _wrote)


def visitor_locale():
    """The language from the request alone (the session's choice, then the browser's),
    never the database: what an error page speaks when the database is gone."""
    languages = current_app.config["LANGUAGES"]
    if session.get("locale") in languages:
        return session["locale"]
    return (request.accept_languages.best_match(languages)
            or current_app.config["BABEL_DEFAULT_LOCALE"])
