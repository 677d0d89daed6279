"""Prebuilt SELECTs compiled once per dialect and run as the driver's own SQL.

SQLAlchemy compiles, caches and converts for every statement it runs, and renders an
expanding IN again on every execution: as much Python as SQLite takes to answer. The
pages' per-reader holes run such statements on every hit of a stored page.

A request that has not opened the session's transaction (a hit of a stored page reads
only its reader and their facts) runs them on a pooled connection of its own, given
back at the end of the request: the session's transaction, begun and rolled back,
cost as much as the reads.

There is one path, whoever listens to the engine: SQLAlchemy's cursor events do not see
these statements (an APM tool attached to the engine misses them rather than slowing every
request down); the tests count them at the driver (tests/querycount.py).
"""

from datetime import date, datetime

from flask import g
from sqlalchemy import Date, DateTime

from .dependencies import note_select
from .extensions import db

# Prebuilt SELECTs compiled once per dialect (rows_of, rows_among).
_PREPARED = {}
_IDS = "ids"
_MARKS = {"qmark": "?", "format": "%s", "named": ":{}", "pyformat": "%({})s"}


def rows_of(statement, **params):
    """The rows of a prebuilt SELECT, run on the session's connection without
    SQLAlchemy's per-statement work (compiling, caching, converting: as much Python as
    SQLite takes to answer). The statement is compiled once per dialect and the
    parameters go in as they are, but for a datetime or date given to a DateTime or Date
    comparison, which goes in as SQLAlchemy binds it; results are read as numbers, text or
    truth values (a datetime comes back as SQLite's text: accounts.rows.moment)."""
    return rows_among(statement, None, **params)


def rows_among(statement, ids, **params):
    """rows_of for a SELECT whose IN is bindparam("ids", expanding=True), for these ids:
    SQLAlchemy renders an expanding IN again on every execution (the pages' per-reader
    holes run one or more on every hit). Another expanding IN takes its list from
    `params` by its name."""
    session = db.session()
    bind = session.get_bind()
    connection = session.connection() if session.in_transaction() else None
    dialect = bind.dialect
    prepared = _PREPARED.get((statement, dialect.name))
    if prepared is None:
        compiled = statement.compile(dialect=dialect)
        defaults = {name: bind.value for name, bind in compiled.binds.items()}
        prepared = _PREPARED[(statement, dialect.name)] = (
            compiled.string, compiled.positiontup, defaults, _MARKS[dialect.paramstyle],
            compiled, _moment_binds(compiled, dialect),
            tuple(name for name, bind in compiled.binds.items() if bind.expanding))
    sql, order, defaults, mark, compiled, moments, expanding = prepared
    values = {**defaults, **params}
    if moments:  # a datetime or date goes in as SQLAlchemy binds it
        for name in moments.keys() & params.keys():
            if isinstance(values[name], (datetime, date)):
                values[name] = moments[name](values[name])
    lists = {name: list(ids or ()) if name == _IDS else list(values.pop(name, None) or ())
             for name in expanding}
    params_seen = {**values, **lists}
    if order is not None:  # positional: each list where it was, the rest in order
        flat = []
        for name in order:
            if name in lists:
                flat.extend(lists[name])
            else:
                flat.append(values[name])
        for name, items in lists.items():
            sql = sql.replace(_token(name), ", ".join([mark] * len(items)))
        rows = _run(connection, sql, tuple(flat))
        note_select(compiled, params_seen, rows)
        return rows
    values.pop(_IDS, None)
    for name, items in lists.items():
        named = {f"{name}_{n}": value for n, value in enumerate(items)}
        sql = sql.replace(_token(name), ", ".join(mark.format(n) for n in named))
        values.update(named)
    rows = _run(connection, sql, values)
    note_select(compiled, params_seen, rows)
    return rows


def _token(name):
    """Where SQLAlchemy renders an expanding IN's list."""
    return f"__[POSTCOMPILE_{name}]"


def _moment_binds(compiled, dialect):
    """{bind name: the dialect's conversion} for the statement's datetime and date
    parameters (SQLite keeps them as text; PostgreSQL's driver takes them as they are)."""
    found = {}
    for name, bind in compiled.binds.items():
        if isinstance(bind.type, (DateTime, Date)):
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if convert is not None:
                found[name] = convert
    return found


def _run(connection, sql, parameters):
    """The rows as tuples. Straight on the driver's cursor, a few microseconds a statement
    where SQLAlchemy's execution context costs ten more."""
    cursor = (connection.connection if connection is not None else _reading()).cursor()
    try:
        cursor.execute(sql, parameters)
        return cursor.fetchall()
    finally:
        cursor.close()


def _reading():
    """The app context's own pooled connection for reads outside the session's
    transaction."""
    found = g.get("_reading_connection")
    if found is None:
        found = g._reading_connection = db.engine.raw_connection()
    return found


def give_back(_error=None):
    """teardown_appcontext: the reading connection goes back to the pool (which ends
    whatever transaction the driver began)."""
    found = g.pop("_reading_connection", None)
    if found is not None:
        found.close()


def init_app(app):
    app.teardown_appcontext(give_back)
