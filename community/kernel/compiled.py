"""Prebuilt statements compiled once per dialect and run as the driver's own SQL.

SQLAlchemy compiles, caches and converts for every statement it runs, and renders an
expanding IN again on every execution: as much Python as SQLite takes to answer. The
pages' per-reader holes run such statements on every hit of a stored page.

A request that has not opened the session's transaction (a hit of a stored page reads
only its reader and their facts) runs them on a pooled connection of its own, given
back at the end of the request: the session's transaction, begun and rolled back,
cost as much as the reads.

The hot write paths (a checkout runs nine INSERTs and UPDATEs) run theirs the same
way (write_rows), inside the session's transaction: what each writes is noted for the
page cache as SQLAlchemy's cursor events note it (dependencies.note_driven), and the
driver's errors come out as SQLAlchemy's, so a twin request's IntegrityError is met
as before.

There is one path, whoever listens to the engine: SQLAlchemy's cursor events do not see
these statements (an APM tool attached to the engine misses them rather than slowing every
request down); the tests count them at the driver (tests/querycount.py).
"""

from datetime import date, datetime

from flask import g
from sqlalchemy import Date, DateTime, exc

from .dependencies import driven_rows, note_driven, note_select
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
        prepared = _PREPARED[(statement, dialect.name)] = _prepare(statement, dialect)
    sql, parameters, params_seen = _bound(prepared, ids, params)
    rows = _run(connection, sql, parameters)
    note_select(prepared[4], params_seen, rows)
    return rows


def _prepare(statement, dialect, column_keys=None, converters=None):
    """What running `statement` on the driver needs, worked out once: its SQL, the
    order of its positional parameters, their defaults, the dialect's mark, the compiled
    statement, each parameter's conversion (by default those of datetimes and dates,
    _moment_binds), and the names of its expanding INs."""
    compiled = statement.compile(dialect=dialect, column_keys=column_keys)
    defaults = {name: bind.value for name, bind in compiled.binds.items()}
    return (compiled.string, compiled.positiontup, defaults, _MARKS[dialect.paramstyle],
            compiled, (converters or _moment_binds)(compiled, dialect),
            tuple(name for name, bind in compiled.binds.items() if bind.expanding))


def _bound(prepared, ids, params, convert_all=False):
    """(SQL, the driver's parameters, the parameters by bind name) for one run. A
    datetime or date goes in as SQLAlchemy binds it; with `convert_all`, every value with
    a conversion does (write_rows)."""
    sql, order, defaults, mark, compiled, converters, expanding = prepared
    values = {**defaults, **params}
    for name in converters.keys() & (values.keys() if convert_all else params.keys()):
        value = values[name]
        if convert_all and value is not None:
            convert = converters[name]
            values[name] = [convert(v) for v in value] if name in expanding else convert(value)
        elif isinstance(value, (datetime, date)):
            values[name] = converters[name](value)
    lists = {name: list(ids or ()) if name == _IDS else list(values.pop(name, None) or ())
             for name in expanding}
    params_seen = {**values, **lists}
    if order is not None and not lists:  # positional (an order's INSERT has 39 of them)
        return sql, tuple([values[name] for name in order]), params_seen
    if order is not None:  # positional: each list where it was, the rest in order
        flat = []
        for name in order:
            if name in lists:
                flat.extend(lists[name])
            else:
                flat.append(values[name])
        for name, items in lists.items():
            sql = sql.replace(_token(name), ", ".join([mark] * len(items)) if items
                              else _empty_set(compiled, name))
        return sql, tuple(flat), params_seen
    values.pop(_IDS, None)
    for name, items in lists.items():
        named = {f"{name}_{n}": value for n, value in enumerate(items)}
        sql = sql.replace(_token(name), ", ".join(mark.format(n) for n in named) if named
                          else _empty_set(compiled, name))
        values.update(named)
    return sql, values, params_seen


# Prebuilt writes by (statement, dialect, the names of their parameters): the names
# decide which columns an INSERT without values of its own writes, as SQLAlchemy
# compiles it. None: one that runs through SQLAlchemy (_prepare_write says why).
_WRITES = {}


def write_rows(statement, **params):
    """Run a prebuilt INSERT, UPDATE or DELETE as rows_of runs a SELECT, on the session's
    connection in its transaction (pending objects flushed first, as database.write
    does): the rows its RETURNING gave, as tuples. Every value goes in as SQLAlchemy
    binds it. One whose rows only a lookup can name (dependencies.note_driven) runs
    through SQLAlchemy instead, and answers the same."""
    session = db.session()
    if session.autoflush:
        session.flush()
    connection = _connection(session)
    dialect, info = connection.dialect, connection.info
    key = (statement, dialect.name, tuple(params))
    if key in _WRITES:
        prepared = _WRITES[key]
    else:
        prepared = _WRITES[key] = _prepare_write(statement, dialect, params)
    noted = None
    if prepared is not None:
        sql, parameters, _seen = _bound(prepared, params.get(_IDS), params, convert_all=True)
        named = {**prepared[2], **params}
        for name in prepared[6]:  # an expanding IN's values as SQLAlchemy names them
            named.update({f"{name}_{n}": v for n, v in enumerate(named.pop(name) or (), 1)})
        noted = note_driven(info, prepared[4], named, dialect.name == "sqlite")
    if noted is None:
        result = connection.execute(statement, params)
        return [tuple(row) for row in result] if result.returns_rows else []
    plan, widen = noted
    rows, last_row_id = _execute(connection.connection, dialect, sql + widen, parameters)
    return driven_rows(info, plan, widen, named, rows, last_row_id)


_CONNECTION = "fanforge_write_connection"  # on the session's info: (its transaction, connection)


def _connection(session):
    """session.connection(), asked once per transaction: a checkout's nine writes asked
    it nine times, each through the session's bind lookup and transaction states."""
    transaction = session.get_transaction()
    found = session.info.get(_CONNECTION)
    # One the session deactivated (a flush failed) is asked again, and refuses as before.
    if transaction is not None and transaction.is_active and found is not None \
            and found[0] is transaction:
        return found[1]
    connection = session.connection()
    session.info[_CONNECTION] = (session.get_transaction(), connection)
    return connection


def _prepare_write(statement, dialect, params):
    """_prepare for a write given these parameters, with the scalar defaults of the
    columns they leave out; None for a default computed in Python (SQLAlchemy's
    execution computes it)."""
    prepared = _prepare(statement, dialect, sorted(params), _conversions)
    compiled, defaults = prepared[4], prepared[2]
    for column in (*compiled.insert_prefetch, *compiled.update_prefetch):
        default = column.default if column in compiled.insert_prefetch else column.onupdate
        if default is None or not default.is_scalar or column.key not in defaults:
            return None
        defaults[column.key] = default.arg
    return prepared


def _conversions(compiled, dialect):
    """{bind name: the dialect's conversion} for every parameter that has one."""
    found = {}
    for name, bind in compiled.binds.items():
        convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            found[name] = convert
    return found


def _empty_set(compiled, name):
    """An expanding IN's list when it is empty, as SQLAlchemy renders it for the dialect:
    `IN ()` reads no rows on SQLite but is a syntax error on PostgreSQL."""
    bind = compiled.binds[name]
    types = bind.type.types if bind.type._is_tuple_type else [bind.type]
    return compiled.visit_empty_set_op_expr(types, bind.expand_op)


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
    if connection is not None:
        return _execute(connection.connection, connection.dialect, sql, parameters)[0]
    return _execute(_reading(), db.engine.dialect, sql, parameters, own=True)[0]


def _execute(raw, dialect, sql, parameters, own=False):
    """(rows, the cursor's lastrowid) of one statement on the driver. Its errors come out
    as SQLAlchemy's, as through the session: a twin request meets IntegrityError, and a
    lost database is the outage handler's 503 (community/web/outages.py), not a 500. A
    connection of our `own` (the reading one) that the error shows dead is invalidated,
    not pooled again; the session's own is SQLAlchemy's to invalidate."""
    error_class = dialect.loaded_dbapi.Error
    cursor = raw.cursor()
    try:
        cursor.execute(sql, parameters)
        last_row_id = getattr(cursor, "lastrowid", None)
        return (cursor.fetchall() if cursor.description is not None else []), last_row_id
    except error_class as error:
        gone = own and dialect.is_disconnect(error, raw.driver_connection, cursor)
        if gone:
            g.pop(_READING, None)
            raw.invalidate(error)
        raise exc.DBAPIError.instance(sql, parameters, error, error_class,
                                      connection_invalidated=gone, dialect=dialect) from error
    finally:
        cursor.close()


_READING = "_reading_connection"  # on `g`: the app context's connection for reads


def _reading():
    """The app context's own pooled connection for reads outside the session's
    transaction."""
    found = g.get(_READING)
    if found is None:
        found = db.engine.raw_connection()
        setattr(g, _READING, found)
    return found


def give_back(_error=None):
    """teardown_appcontext: the reading connection goes back to the pool (which ends
    whatever transaction the driver began)."""
    found = g.pop(_READING, None)
    if found is not None:
        found.close()


def init_app(app):
    app.teardown_appcontext(give_back)
