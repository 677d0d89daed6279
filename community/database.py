"""Database plumbing shared by every service: transactions, SQLite tuning, upserts.

SQLite runs in WAL mode with a busy timeout. Reads start with a plain (deferred)
BEGIN so page views never queue behind writers; a use case that writes starts its
transaction with BEGIN IMMEDIATE, taking the write lock up front, so two gunicorn
workers never deadlock upgrading a read lock ("database is locked").
"""

import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from .extensions import db

SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "fanforge_write"


def utcnow():
    """Naive UTC: every timestamp column stores UTC without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)


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
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn):
    if conn.dialect.name != "sqlite":
        return
    immediate = conn.get_execution_options().get(_WRITE_OPTION)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write():
    """Start the use case's write transaction (BEGIN IMMEDIATE on SQLite).

    Whatever the request read before (the signed-in user, say) was read in a
    deferred transaction; it is ended here and objects reload on next access, so
    the write sees current rows.
    """
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() must come before the use case changes anything")
        session.rollback()
    session.connection(execution_options={_WRITE_OPTION: True})


@contextmanager
def transaction():
    """One write use case: BEGIN IMMEDIATE, then commit, or roll back on any error."""
    begin_write()
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def insert_ignore(model, **values):
    """INSERT ... ON CONFLICT DO NOTHING; returns True when a row was inserted.

    The unique constraint decides, so two concurrent requests cannot both insert.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING, not rowcount: psycopg reports -1 for a conflict-handling insert.
    key = model.__table__.primary_key.columns.values()[0]
    stmt = insert(model).values(**values).on_conflict_do_nothing().returning(key)
    return db.session.execute(stmt).first() is not None
