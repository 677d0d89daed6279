"""What a transaction writes: the keys of every row it touches, handed on after commit.

A write to a table visitors may not see (keys.private_table: payments, addresses,
messages...) moves nothing: no stored page read one (serving.py stores none that did),
and a commit that wrote only such tables hands nothing on, so the page store is not
written for it (a checkout's second transaction, the gateway's reply, is one)."""

import re

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool
from sqlalchemy.sql.expression import CompoundSelect, Select

from .clauses import _plan_of, _values
from .keys import ANY, UNKNOWN, row_key
from .reads import _note_select, _reads, note_read
from .returning import can_widen, take_keys
from .write_plans import condition, write_plan

_PENDING = "fanforge_written"  # on a connection's info: keys written, not yet committed


_COMMITTED = "fanforge_committed"  # committed, handed on when the connection checks in


_on_commit = []  # functions(structural_keys, live_keys) called after a commit


def on_commit(function):
    """function(structural_keys, live_keys) runs after every commit that wrote something."""
    if function not in _on_commit:
        _on_commit.append(function)


def _lookup(conn, sql, parameters):
    """Rows as they are now (before an UPDATE or DELETE), as tuples: run through
    SQLAlchemy on the write's own connection, so a failure is met and handled as the
    write's would be."""
    conn.info[_LOOKING] = True
    try:
        return conn.exec_driver_sql(sql, parameters).fetchmany(LOOKUP_ROWS + 1)
    finally:
        conn.info.pop(_LOOKING, None)


_LOOKING = "fanforge_looking_up"  # on a connection's info while a write's rows are read


_WIDENED = "fanforge_widened"  # on a connection's info: (context, plan) of a widened write


LOOKUP_ROWS = 500  # a write of more rows than this moves its table's T* instead


_MARKS = {"qmark": "?", "format": "%s"}


def _rows_where(conn, plan, sql, parameters_list):
    """The key columns (plan.key_list) of the rows a write's own WHERE picks, or None.
    SQLite only (write_plans.py says why)."""
    where = condition(sql)
    if where is None:
        return None
    # bandit B608, reviewed: names from the tables' metadata and the write's own compiled
    # condition, whose values stay parameters.
    lookup = (f'SELECT {", ".join(plan.key_list)} '  # nosec B608
              f'FROM {plan.name} WHERE {where}')
    mark = _MARKS.get(conn.dialect.paramstyle)
    rows = []
    for parameters in parameters_list:
        if mark is not None:  # positional: the condition's are the last ones
            count = where.count(mark)
            parameters = tuple(parameters[len(parameters) - count:]) if count else ()
        rows += _lookup(conn, lookup, parameters)
        if len(rows) > LOOKUP_ROWS:
            return None
    return rows


def _insert_keys(plan, params_list):
    """An INSERT's keys from its values, or None where they cannot say."""
    keys, named = set(), plan.columns
    for params in params_list:
        for column in plan.key_list:
            if column in params:
                keys.add(row_key(plan.name, column, params[column]))
            elif column in named and column != plan.pk:
                return None  # an expression we cannot evaluate (INSERT ... SELECT)
            elif column not in named and _defaulted(plan.table.c[column]):
                return None
    return keys


def _pinned_keys(plan, params_list, columns):
    """The values the WHERE pins `columns` to, as keys, or None."""
    keys = set()
    for column in columns:
        bind, expanding = plan.pinned[column]
        for params in params_list:
            values = _values(params, bind, expanding)
            if values is None:
                return None
            keys.update(row_key(plan.name, column, v) for v in values)
    return keys


def _set_keys(plan, params_list):
    """The new values of the key columns an UPDATE sets, as keys, or None."""
    keys = set()
    for column in plan.set_keys:
        for params in params_list:
            if column not in params:
                return None  # set to an expression
            keys.add(row_key(plan.name, column, params[column]))
    return keys


def _row_keys(plan, rows):
    return {row_key(plan.name, column, value) for row in rows
            for column, value in zip(plan.key_list, row, strict=True) if value is not None}


def _defaulted(column):
    return column.default is not None or column.server_default is not None


def _known_keys(plan, params_list):
    """(keys, complete): what the statement's parameters say of the rows it writes, or
    None if they lack a value its WHERE pins (the rows' old keys are not known)."""
    if plan.insert:
        keys = _insert_keys(plan, params_list) if plan.columns is not None else None
        return (keys, True) if keys is not None else (set(), False)
    keys = _pinned_keys(plan, params_list, plan.pins)
    if keys is None or plan.how != "params":
        return None if keys is None else (keys, False)
    new = _set_keys(plan, params_list)
    return (keys | new, True) if new is not None else (keys, False)


def _note_write(conn, context, compiled, statement, parameters):
    """The keys a write moves, noted as pending on its connection; the statement to run
    (widened by its table's key columns where its RETURNING names its rows)."""
    plan = _plan_of(compiled, write_plan)
    if plan is not None and plan.private:
        return statement
    pending = conn.info.setdefault(_PENDING, (set(), set()))
    if plan is None:
        pending[0].add(UNKNOWN)
        return statement
    moved = pending[1 if plan.live else 0]
    moved.add(plan.name)
    if plan.how == "table":
        moved.add(f"{plan.name}*")
        return statement
    params_list = context.compiled_parameters
    found = _known_keys(plan, params_list)
    if found is not None:
        moved |= found[0]
        if found[1]:
            return statement
        if plan.returning is not None and not context.executemany \
                and len(params_list) == 1 and can_widen(context):
            conn.info[_WIDENED] = (context, plan)
            return statement + plan.returning
    if not plan.insert and conn.dialect.name == "sqlite":
        rows = _rows_where(conn, plan, statement, parameters if isinstance(parameters, list)
                           else [parameters])
        new = _set_keys(plan, params_list)
        if rows is not None and new is not None:
            moved |= _row_keys(plan, rows) | new
            return statement
    moved.add(f"{plan.name}*")
    return statement


def note_driven(info, compiled, params, sqlite):
    """Before a prebuilt write runs on the driver (community/kernel/compiled.py): the keys
    its parameters name, noted on the connection's `info` as _note_write notes those of one
    SQLAlchemy runs. Returns (plan, widen): `widen` to add to the statement's RETURNING
    (its rows then end with the table's key columns, for driven_rows) or ""; or None, with
    nothing noted, when only a lookup of its rows can name them (SQLite): SQLAlchemy's
    path does that. `params` by bind name, an expanding IN's as name_1, name_2..."""
    if not _on_commit:
        return None, ""
    plan = _plan_of(compiled, write_plan)
    if plan is None or plan.private:
        if plan is None:
            info.setdefault(_PENDING, (set(), set()))[0].add(UNKNOWN)
        return None, ""
    widen = ""
    if plan.how == "table":
        keys = {f"{plan.name}*"}
    else:
        found = _known_keys(plan, [params])
        keys = set(found[0]) if found is not None else set()
        if found is not None and not found[1] and plan.returning is not None:
            widen = plan.returning
        elif found is None or not found[1]:
            if not plan.insert and sqlite:
                return None
            keys.add(f"{plan.name}*")
    moved = info.setdefault(_PENDING, (set(), set()))[1 if plan.live else 0]
    moved.add(plan.name)
    moved |= keys
    return plan, widen


def driven_rows(info, plan, widen, params, rows, last_row_id):
    """After a prebuilt write ran on the driver: the keys its widened RETURNING gave
    (returned: the rows without them), or an INSERT's new primary key where the driver
    tells it (SQLite's lastrowid), as _after_cursor_execute notes them."""
    if plan is None:
        return rows
    pending = info.setdefault(_PENDING, (set(), set()))
    if widen:
        count = len(plan.key_list)
        keys = [row[-count:] for row in rows]
        pending[1 if plan.live else 0].update(
            _row_keys(plan, keys) if len(keys) <= LOOKUP_ROWS else (f"{plan.name}*",))
        return [row[:-count] for row in rows] if plan.returns_own else []
    if plan.insert and plan.pk is not None and plan.pk not in params and last_row_id:
        pending[0].add(row_key(plan.name, plan.pk, last_row_id))
    return rows


def _dml(context):
    """An INSERT, UPDATE or DELETE (plain attributes the execution context sets)."""
    return context.isinsert or context.isupdate or context.isdelete


@event.listens_for(Engine, "before_cursor_execute", retval=True)
def _before_cursor_execute(conn, cursor, statement, parameters, context, _executemany):
    if not _on_commit or _LOOKING in conn.info:  # nobody keeps pages; our own lookup
        return statement, parameters
    compiled = context.compiled
    if compiled is not None and _dml(context):
        statement = _note_write(conn, context, compiled, statement, parameters)
    elif compiled is not None and isinstance(compiled.statement, (Select, CompoundSelect)):
        reads = _reads.get()
        if reads is not None:
            _note_select(reads, compiled, context.compiled_parameters[0])
    elif _TEXT_READ.match(statement) and not _TEXT_WRITE.search(statement):
        note_read(ANY)
    elif not _HARMLESS.match(statement):
        conn.info.setdefault(_PENDING, (set(), set()))[0].add(UNKNOWN)
    return statement, parameters


@event.listens_for(Engine, "after_cursor_execute")
def _after_cursor_execute(conn, cursor, _statement, _parameters, context, executemany):
    """The keys a widened write returned; an INSERT's new primary key where the driver
    tells it (SQLite's lastrowid)."""
    compiled = context.compiled
    if compiled is None or not _dml(context) or _LOOKING in conn.info:
        return
    widened = conn.info.pop(_WIDENED, None)
    if widened is not None and widened[0] is context:
        plan = widened[1]
        rows = take_keys(context, cursor, len(plan.key_list), plan.returns_own)
        moved = conn.info.setdefault(_PENDING, (set(), set()))[1 if plan.live else 0]
        moved.update(_row_keys(plan, rows) if len(rows) <= LOOKUP_ROWS
                     else (f"{plan.name}*",))
        return
    if not compiled.isinsert or executemany:
        return
    plan = _plan_of(compiled, write_plan)
    if plan is None or plan.private or plan.pk is None \
            or plan.pk in context.compiled_parameters[0]:
        return
    row_id = getattr(cursor, "lastrowid", None)
    if row_id:
        conn.info.setdefault(_PENDING, (set(), set()))[0].add(
            row_key(plan.name, plan.pk, row_id))


_TEXT_READ = re.compile(r"\s*(SELECT|WITH)\b", re.I)


# A CTE may end in a write (WITH ... DELETE): that is no read, whatever it starts with.
_TEXT_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE|UPSERT|MERGE)\b", re.I)


# What changes no row: a transaction's edges, settings, plans.
_HARMLESS = re.compile(r"\s*(PRAGMA|EXPLAIN|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET|SHOW|"
                       r"ANALYZE)\b", re.I)


@event.listens_for(Engine, "commit")
def _commit(conn):
    if conn.invalidated:
        return
    pending = conn.info.pop(_PENDING, None)
    if pending is not None:
        committed = conn.info.setdefault(_COMMITTED, (set(), set()))
        committed[0].update(pending[0])
        committed[1].update(pending[1])


@event.listens_for(Engine, "rollback")
def _rollback(conn):
    if conn.invalidated:  # a lost connection: asking for its info would try to reconnect
        return
    conn.info.pop(_PENDING, None)


@event.listens_for(Pool, "checkin")
def _checkin(_dbapi_connection, record):
    """The transaction has ended (committed, or rolled back before this): hand its keys on."""
    if record is None:
        return
    record.info.pop(_PENDING, None)
    record.info.pop(_WIDENED, None)  # a widened write that failed
    committed = record.info.pop(_COMMITTED, None)
    if committed is not None:
        structural, live = committed
        live -= structural
        for function in _on_commit:
            function(structural, live)
