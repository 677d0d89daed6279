"""Deadlines on every PostgreSQL connection, so no database can freeze every worker.

- Connecting: libpq's `connect_timeout` and TCP keepalives (app.py's engine options).
- Each checkout (a web request's or a job's transaction) sets its own
  `statement_timeout`: DATABASE_STATEMENT_TIMEOUT inside a request, the longer
  DATABASE_JOB_STATEMENT_TIMEOUT for the worker and commands. That SET is also the
  liveness check SQLAlchemy's pre-ping would do, in the same round trip.
- The server enforces statement_timeout only while it is running. A server that
  stops answering (frozen, or a proxy that accepts and forwards nothing) never
  cancels anything, and the kernel still acknowledges what is sent, so keepalives do
  not fire either. A watchdog thread per process therefore shuts down the socket of a
  checkout still held DEADLINE_GRACE seconds past its statement timeout: the call
  waiting on it fails at once as a lost connection (a 503), the pool drops it, and the
  worker is free for the next request.
"""

import os
import socket
import threading
import time
from contextlib import contextmanager

from flask import has_request_context
from sqlalchemy import event, exc

from .extensions import db

DEADLINE_GRACE = 1.0
_TICK = 0.1  # how often the watchdog looks at its deadlines
_override = threading.local()


class Watchdog:
    """Deadlines of the checked-out connections of this process, cut when passed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.armed = {}  # id(pool record) -> (deadline, dbapi connection)
        self.pid = None

    def arm(self, record, connection, seconds):
        with self.lock:
            self.armed[id(record)] = (time.monotonic() + seconds, connection)
            if self.pid != os.getpid():  # first use in this process (gunicorn forks)
                self.pid = os.getpid()
                threading.Thread(target=self._watch, name="db-deadlines", daemon=True).start()

    def disarm(self, record):
        with self.lock:
            self.armed.pop(id(record), None)

    def _watch(self):
        while True:
            time.sleep(_TICK)
            now = time.monotonic()
            with self.lock:
                for key, (deadline, connection) in list(self.armed.items()):
                    if deadline <= now:
                        del self.armed[key]
                        _cut(connection)


def _cut(connection):
    """Shut the connection's socket down under its feet: libpq's wait ends with
    "server closed the connection unexpectedly" and psycopg raises."""
    if connection.closed:
        return
    try:
        with socket.socket(fileno=os.dup(connection.fileno())) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


WATCHDOG = Watchdog()


@contextmanager
def deadline(seconds):
    """Connections checked out inside this block get `seconds` (statement timeout and
    deadline alike) whatever the request kind: a health check wants an answer quickly."""
    _override.seconds = seconds
    try:
        yield
    finally:
        _override.seconds = None


def _listen(engine, config):
    web = float(config["DATABASE_STATEMENT_TIMEOUT"])
    job = float(config["DATABASE_JOB_STATEMENT_TIMEOUT"])
    ping = float(config["DATABASE_CONNECT_TIMEOUT"])

    @event.listens_for(engine, "checkout")
    def set_deadline(dbapi_connection, record, _proxy):
        seconds = getattr(_override, "seconds", None) or (web if has_request_context() else job)
        # The SET answers as fast as connecting would: a pooled connection to a frozen
        # server is given up after the connect timeout, not the statement's.
        WATCHDOG.arm(record, dbapi_connection, min(ping, seconds))
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")
        except Exception as error:  # a dead or cut connection: the pool connects anew
            WATCHDOG.disarm(record)
            raise exc.DisconnectionError(str(error)) from error
        WATCHDOG.arm(record, dbapi_connection, seconds + DEADLINE_GRACE)

    @event.listens_for(engine, "checkin")
    def clear_deadline(_dbapi_connection, record):
        WATCHDOG.disarm(record)


def init_app(app):
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "postgresql":
                _listen(engine, app.config)
