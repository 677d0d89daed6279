"""Database plumbing shared by every service: transactions, SQLite tuning, upserts.

SQLite runs in WAL mode with a busy timeout. Reads start with a plain (deferred)
BEGIN so page views never queue behind writers; a use case that writes starts its
transaction with BEGIN IMMEDIATE, taking the write lock up front, so two gunicorn
workers never deadlock upgrading a read lock ("database is locked").

Writers to an SQLite file queue for their turn on a lock of our own before BEGIN
IMMEDIATE (`WriteLock`): SQLite's busy handler polls with sleeps of up to 100 ms,
so a worker would sleep on long after the lock came free; a blocked flock() wakes
as soon as the holder lets go.

The write-ahead log stays bounded: SQLite's own checkpoint runs as a commit passes
WAL_AUTOCHECKPOINT_PAGES, inside that writer's turn, so no other writer appends while
it copies and the log is reused from its start; `journal_size_limit` cuts the file back
to WAL_SIZE_LIMIT when it is, and the worker's periodic `checkpoint_wal()` empties it.
"""

import logging
import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import UTC, datetime

try:
    import fcntl
except ImportError:  # Windows: writers rely on SQLite's busy handler alone
    fcntl = None

from sqlalchemy import bindparam, event, exc, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from .compiled import write_rows
from .dependencies import note_clock
from .extensions import db

SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "fanforge_write"
WRITE_LOCK_SUFFIX = "-writelock"
# SQLite's default: a checkpoint once the log holds ~4 MiB of pages (about 100 votes).
WAL_AUTOCHECKPOINT_PAGES = 1000
# A log grown past this (a long read pinned it meanwhile) is cut back to it once reused.
WAL_SIZE_LIMIT = 32 * 1024 * 1024

log = logging.getLogger(__name__)


def utcnow():
    """Naive UTC: every timestamp column stores UTC without a zone. A page drawn meanwhile
    is kept for this minute only (community/kernel/dependencies/)."""
    note_clock()
    return datetime.now(UTC).replace(tzinfo=None)


class WriteLock:
    """One process's turn at writing one SQLite file: the write transactions of every
    process using the file take it before BEGIN IMMEDIATE and give it back after
    COMMIT or ROLLBACK, so they wait in a queue instead of SQLite's sleeping retries.

    A thread lock orders this process's threads (with the busy timeout, so two
    connections of one thread fail as SQLite would, never hang), then flock() on
    `<database>-writelock` orders the processes. The kernel drops a flock when its
    process dies, so a killed worker cannot keep it. Whatever cannot open the lock
    file writes without it: SQLite's own lock and busy handler still decide.
    """

    _locks = {}
    _locks_guard = threading.Lock()

    def __init__(self, database):
        self.database, self.path = database, database + WRITE_LOCK_SUFFIX
        self.pid = os.getpid()
        self.threads = threading.Lock()
        self.fd = None
        self.unusable = False

    @classmethod
    def for_database(cls, path):
        """The lock of the file at `path` in this process (a forked child gets its own:
        an inherited descriptor would share the parent's flock)."""
        key = (os.getpid(), os.path.realpath(path))
        with cls._locks_guard:
            if key not in cls._locks:
                cls._locks[key] = cls(key[1])
            return cls._locks[key]

    def acquire(self):
        """Wait for the turn; False when the lock file is unusable (write without it)."""
        if self.unusable:
            return False
        if not self.threads.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise sqlite3.OperationalError("database is locked")
        try:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except OSError as error:
            self.threads.release()
            self.unusable = True
            log.warning("writers to %s wait in SQLite's busy handler: no %s (%s)",
                        self.database, self.path, error)
            return False
        except BaseException:
            self.threads.release()
            raise
        return True

    def release(self):
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.threads.release()


class QueuedWriterConnection(sqlite3.Connection):
    """sqlite3's connection, giving its WriteLock back once COMMIT or ROLLBACK is done
    (SQLAlchemy's commit and rollback events run before them), on close, and if it
    is ever dropped without either."""

    write_lock = None  # the database file's WriteLock; None for :memory: and temp files
    holding = None  # the WriteLock while this connection has the turn

    def take_write_turn(self):
        lock = self.write_lock
        if lock is None or self.holding is not None:
            return
        if lock.pid != os.getpid():  # a connection opened before a fork
            lock = self.write_lock = WriteLock.for_database(lock.database)
        if lock.acquire():
            self.holding = lock

    def give_back_write_turn(self):
        held, self.holding = self.holding, None
        if held is not None:
            held.release()

    def commit(self):
        # SQLite's automatic checkpoint runs inside COMMIT, so while the turn is held:
        # writers queued meanwhile cannot append, and the checkpoint catches up.
        try:
            super().commit()
        finally:
            self.give_back_write_turn()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.give_back_write_turn()

    def close(self):
        try:
            super().close()
        finally:
            self.give_back_write_turn()

    def __del__(self):
        if self.holding is not None:
            self.give_back_write_turn()


@event.listens_for(Engine, "do_connect")
def _queued_writers(dialect, _record, _cargs, cparams):
    if dialect.name == "sqlite" and dialect.driver == "pysqlite" and fcntl is not None:
        cparams.setdefault("factory", QueuedWriterConnection)


# Python functions every SQLite connection can call in SQL: name -> (arguments, function).
_SQLITE_FUNCTIONS = {}


def sqlite_function(name, arguments):
    """Register a deterministic Python function under `name` on every SQLite connection
    opened from now on (register at import, before the app connects): an UPDATE can then
    compute what Python computes, exactly, in the same statement."""
    def register(function):
        _SQLITE_FUNCTIONS[name] = (arguments, function)
        return function
    return register


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" hook below emit BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cursor.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
    for name, (arguments, function) in _SQLITE_FUNCTIONS.items():
        dbapi_connection.create_function(name, arguments, function, deterministic=True)
    if isinstance(dbapi_connection, QueuedWriterConnection):
        path = next((file for _seq, name, file in cursor.execute("PRAGMA database_list")
                     if name == "main"), "")
        if path:  # "" for :memory: and temporary databases: nobody else writes those
            dbapi_connection.write_lock = WriteLock.for_database(path)
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn):
    if conn.dialect.name != "sqlite":
        return
    if not conn.get_execution_options().get(WRITE_OPTION):
        # A read's deferred BEGIN takes no lock and reads nothing: straight to the driver,
        # without SQLAlchemy's execution context (every request's first read pays it).
        conn.connection.dbapi_connection.execute("BEGIN")
        return
    # The write's BEGIN IMMEDIATE straight to the driver too, after its turn (a checkout
    # takes two): SQLAlchemy's execution context cost more than SQLite takes to run it.
    dbapi_connection = conn.connection.dbapi_connection
    queued = isinstance(dbapi_connection, QueuedWriterConnection)
    try:
        if queued:
            dbapi_connection.take_write_turn()
        dbapi_connection.execute("BEGIN IMMEDIATE")
    except BaseException as error:
        if queued:
            dbapi_connection.give_back_write_turn()
        if isinstance(error, sqlite3.OperationalError):  # as SQLAlchemy reports SQLite's own
            raise exc.OperationalError("BEGIN IMMEDIATE", None, error) from error
        raise


def begin_write(reload=True):
    """Start the use case's write transaction (BEGIN IMMEDIATE on SQLite).

    Whatever the request read before (the signed-in user, say) was read in a
    deferred transaction; it is ended here and objects reload on next access, so
    the write sees current rows. With reload=False they keep the values they were
    read with and nothing is read again inside the write lock: for a use case that
    checked its rows before and lets its conditional statements check them again.
    """
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() must come before the use case changes anything")
        if reload:
            session.rollback()
        else:
            session.commit()  # nothing to write: it only ends the read (expire_on_commit is off)
    session.connection(execution_options={WRITE_OPTION: True})


@contextmanager
def transaction(reload=True):
    """One write use case: BEGIN IMMEDIATE, then commit, or roll back on any error."""
    begin_write(reload)
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def checkpoint_wal(engine):
    """Fold SQLite's whole log into the database and truncate it to nothing (the worker
    runs this every few minutes: an idle site's log then takes no space). Taken in the
    write turn, as a writer would, so queued writers wait on the flock, not in SQLite's
    busy handler. Returns (log pages, pages copied), or None on other databases."""
    if engine.dialect.name != "sqlite":
        return None
    with engine.connect() as conn:
        dbapi_connection = conn.connection.dbapi_connection
        take = getattr(dbapi_connection, "take_write_turn", None)
        if take is not None:
            take()
        try:
            busy, pages, copied = dbapi_connection.execute(
                "PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            if take is not None:
                dbapi_connection.give_back_write_turn()
    if busy:
        log.info("checkpoint of the SQLite log could not finish: a reader held it")
    return pages, copied


# Statements built once per shape, executed with parameters: building and caching a
# statement costs more Python than SQLite takes to run it, inside the write lock.
_STATEMENTS = {}


def dialect_name():
    """The session's database: "sqlite" or "postgresql"."""
    return db.session.get_bind().dialect.name


def conflict_insert(table, dialect=None):
    """An INSERT on `table` that takes ON CONFLICT clauses: SQLAlchemy builds those per
    dialect (SQLite's and PostgreSQL's), for the session's unless `dialect` is named."""
    dialect = dialect or dialect_name()
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _insert_ignore_statement(model, names, condition=None):
    """INSERT ... [SELECT ... WHERE condition] ON CONFLICT DO NOTHING RETURNING key, on the
    table (an ORM-enabled INSERT costs more Python), with a bind parameter per column."""
    dialect = dialect_name()
    cache_key = (model, dialect, names, condition)
    stmt = _STATEMENTS.get(cache_key)
    if stmt is None:
        table = model.__table__
        insert = conflict_insert(table, dialect)
        if condition is None:
            insert = insert.values({name: bindparam(name, type_=table.c[name].type)
                                    for name in names})
        else:
            row = select(*[bindparam(name, type_=table.c[name].type) for name in names])
            insert = insert.from_select(list(names), row.where(condition))
        # RETURNING, not rowcount: psycopg reports -1 for a conflict-handling insert.
        stmt = _STATEMENTS[cache_key] = (
            insert.on_conflict_do_nothing().returning(table.primary_key.columns.values()[0]))
    return stmt


def write(statement, params):
    """Run a prebuilt Core INSERT, UPDATE or DELETE on the session's connection.

    The session's own execute() costs some 40 µs more Python a statement, all of it
    under SQLite's write lock on the hot write paths (a vote, a pre-order). What it
    would have done is done here: pending objects are flushed first (autoflush); what
    it writes is noted at the driver (community/kernel/dependencies/)."""
    session = db.session()
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)


def insert_ignore(model, **values):
    """INSERT ... ON CONFLICT DO NOTHING; returns True when a row was inserted.

    The unique constraint decides, so two concurrent requests cannot both insert.
    """
    stmt = _insert_ignore_statement(model, tuple(values))
    return bool(write_rows(stmt, **values))


def insert_ignore_if(model, condition, values, **params):
    """insert_ignore(model, **values) if `condition` holds as the row goes in.

    INSERT ... SELECT ... WHERE: the check and the insert are one statement, so a
    use case can check before its transaction and let this statement check again.
    `condition` is built once (a module constant) with bind parameters: one named
    like a column stands for the row's value, the others come from `params`.
    """
    stmt = _insert_ignore_statement(model, tuple(values), condition)
    return bool(write_rows(stmt, **{**values, **params}))


# model -> the class its identity keys name (the base class of an inheritance tree)
_IDENTITY_CLASSES = {}


def sync_loaded(model, key, **values):
    """Show new values on the session's copy of a row (if it holds one), as an ORM
    UPDATE would, after a Core UPDATE ... RETURNING wrote them."""
    # The key as identity_key() builds it, (class, primary key tuple, token), without
    # its mapper lookups each time (a checkout syncs three rows).
    ident = tuple(key) if isinstance(key, tuple | list) else (key,)
    found = _IDENTITY_CLASSES.get(model)
    if found is None:
        found = _IDENTITY_CLASSES[model] = identity_key(model, ident)[0]
    loaded = db.session().identity_map.get((found, ident, None))
    if loaded is not None:
        for name, value in values.items():
            set_committed_value(loaded, name, value)


def as_loaded(model, **values):
    """A `model` object holding `values` as a load would, straight in its dict, for a row
    a Core INSERT ... RETURNING wrote: the constructor fires each column's attribute
    events (some eight Python calls a column), only for them to be reset."""
    obj = model()
    inspect(obj).dict.update(values)
    return obj

