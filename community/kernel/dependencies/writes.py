"""What a transaction writes: the keys of every row it touches, handed on after commit."""

import re

from sqlalchemy import Table, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool
from sqlalchemy.sql.expression import CompoundSelect, Select

from .clauses import _narrowing, _plan_of, _values
from .keys import ANY, UNKNOWN, _shape, row_key
from .reads import _note_select, _reads, note_read

_PENDING = "fanforge_written"  # on a connection's info: keys written, not yet committed


_COMMITTED = "fanforge_committed"  # committed, handed on when the connection checks in


_on_commit = []  # functions(structural_keys, live_keys) called after a commit


def on_commit(function):
    """function(structural_keys, live_keys) runs after every commit that wrote something."""
    if function not in _on_commit:
        _on_commit.append(function)


_SET_NAMES = re.compile(r'(?:\bSET\s+|,\s*)"?(\w+)"?\s*=', re.I)


_INSERT_NAMES = re.compile(r'^\s*INSERT\s+INTO\s+"?\w+"?\s*\(([^)]*)\)', re.I)


def _write_plan(compiled):
    statement = compiled.statement
    table = getattr(statement, "table", None)
    if not isinstance(table, Table):
        return None
    keys, live, pk = _shape(table)
    sql = compiled.string
    plan = {"table": table, "keys": keys, "pk": pk, "live": False, "narrowed": None,
            "set": (), "columns": (), "where": None}
    if compiled.isinsert:
        found = _INSERT_NAMES.match(sql)
        plan["columns"] = tuple(n.strip().strip('"') for n in found.group(1).split(",")) \
            if found else None
        return plan
    where = getattr(statement, "whereclause", None)
    if pk is not None:
        narrowed = _narrowing(table, table, where, compiled.bind_names)
        if narrowed is not None and narrowed[0] == pk:
            plan["narrowed"] = narrowed
    plan["where"] = " WHERE " in sql  # the rows it touches, found by its own condition
    if compiled.isupdate:
        found = _where_at(sql)
        head = sql[:found] if found >= 0 else sql
        # Names inside a subquery of the SET list are taken too: never fewer than are set.
        names = set(_SET_NAMES.findall(head))
        plan["set"] = tuple(names)
        plan["live"] = bool(names) and names <= live
    return plan


def _lookup(conn, sql, parameters):
    """Rows as they are now (before an UPDATE or DELETE), as dicts: run through
    SQLAlchemy on the write's own connection, so a failure (a cut connection) is met and
    handled as the write's would be."""
    conn.info[_LOOKING] = True
    try:
        found = conn.exec_driver_sql(sql, parameters)
        return [dict(row) for row in found.mappings().fetchmany(LOOKUP_ROWS + 1)]
    finally:
        conn.info.pop(_LOOKING, None)


_LOOKING = "fanforge_looking_up"  # on a connection's info while a write's rows are read


LOOKUP_ROWS = 500  # a write of more rows than this moves its table's T* instead


_MARKS = {"qmark": "?", "format": "%s"}


def _where_at(sql):
    """Where an UPDATE's or DELETE's own WHERE starts (not one inside a subquery), or -1."""
    depth, at = 0, 0
    while True:
        found = sql.find(" WHERE ", at)
        if found < 0:
            return -1
        depth += sql.count("(", at, found) - sql.count(")", at, found)
        if depth == 0:
            return found
        at = found + 1


def _condition(sql):
    """The WHERE of an UPDATE or DELETE as run, or None."""
    found = _where_at(sql)
    if found < 0:
        return None
    return sql[found + len(" WHERE "):].split(" RETURNING ", 1)[0]


def _rows_where(conn, plan, sql, parameters_list, paramstyle):
    """The key columns of the rows a write's own WHERE picks, or None.

    On SQLite only. On PostgreSQL a lookup that meets a cut connection fails inside the
    write's own execution, which SQLAlchemy cannot then roll back cleanly (a 500 where
    the outage gives a 503): there a write whose rows need looking up moves its table's
    T* instead, until the statements return their rows' keys themselves (RETURNING)."""
    if conn.dialect.name != "sqlite":
        return None
    condition = _condition(sql)
    if condition is None:
        return None
    # bandit B608, reviewed: names from the tables' metadata and the write's own compiled
    # condition, whose values stay parameters.
    lookup = (f'SELECT {", ".join(sorted(plan["keys"]))} '  # nosec B608
              f'FROM {plan["table"].name} WHERE {condition}')
    mark = _MARKS.get(paramstyle)
    rows = []
    for parameters in parameters_list:
        if mark is not None:  # positional: the condition's are the last ones
            count = condition.count(mark)
            parameters = tuple(parameters[len(parameters) - count:]) if count else ()
        rows += _lookup(conn, lookup, parameters)
        if len(rows) > LOOKUP_ROWS:
            return None
    return rows


def _write_keys(plan, params_list, conn, paramstyle, sql, parameters):
    """(keys, unknown): the keys a write moves, and whether some rows it could not name."""
    table, name = plan["table"], plan["table"].name
    keys_of_table = plan["keys"]
    keys = {name}
    if plan["columns"] is None:
        return keys, True
    if plan["columns"]:  # an INSERT: the key values are among its parameters
        named = set(plan["columns"])
        for params in params_list:
            for column in keys_of_table:
                if column in params:
                    keys.add(row_key(name, column, params[column]))
                elif column in named and column != plan["pk"]:
                    return keys, True  # an expression we cannot evaluate
                elif column not in named and _defaulted(table.c[column]):
                    return keys, True
        return keys, False
    narrowed, ids = plan["narrowed"], []
    for params in params_list if narrowed is not None else ():
        values = _values(params, narrowed[1], narrowed[2])
        if values is None:
            narrowed = None
            break
        ids += values
    if narrowed is not None and len(keys_of_table) == 1:  # the key is all there is to know
        rows = [{plan["pk"]: i} for i in ids]
    elif plan["where"]:
        rows = _rows_where(conn, plan, sql, parameters if isinstance(parameters, list)
                           else [parameters], paramstyle)
        if rows is None:
            return keys, True
    else:
        return keys, True
    for row in rows:
        keys.update(row_key(name, column, value) for column, value in row.items())
    for column in keys_of_table.intersection(plan["set"]):
        for params in params_list:
            if column not in params:
                return keys, True
            keys.add(row_key(name, column, params[column]))
    return keys, False


def _defaulted(column):
    return column.default is not None or column.server_default is not None


def _note_write(conn, cursor, compiled, params_list, sql, parameters):
    plan = _plan_of(compiled, _write_plan) if compiled is not None else None
    pending = conn.info.setdefault(_PENDING, (set(), set()))
    if plan is None:
        pending[0].add(UNKNOWN)
        return
    keys, unknown = _write_keys(plan, params_list, conn, conn.dialect.paramstyle, sql,
                                parameters)
    if unknown:
        keys.add(f"{plan['table'].name}*")
    pending[1 if plan["live"] else 0].update(keys)


def _dml(compiled):
    return getattr(compiled, "isinsert", False) or getattr(compiled, "isupdate", False) \
        or getattr(compiled, "isdelete", False)


@event.listens_for(Engine, "before_cursor_execute")
def _before_cursor_execute(conn, cursor, statement, parameters, context, _executemany):
    if not _on_commit or _LOOKING in conn.info:  # nobody keeps pages; our own lookup
        return
    compiled = context.compiled
    if compiled is not None and _dml(compiled):
        _note_write(conn, cursor, compiled, context.compiled_parameters, statement, parameters)
    elif compiled is not None and isinstance(compiled.statement, (Select, CompoundSelect)):
        reads = _reads.get()
        if reads is not None:
            _note_select(reads, compiled, context.compiled_parameters[0])
    elif _TEXT_READ.match(statement) and not _TEXT_WRITE.search(statement):
        note_read(ANY)
    elif not _HARMLESS.match(statement):
        conn.info.setdefault(_PENDING, (set(), set()))[0].add(UNKNOWN)


@event.listens_for(Engine, "after_cursor_execute")
def _after_cursor_execute(conn, cursor, _statement, _parameters, context, executemany):
    """An INSERT's new primary key, where the driver tells it (SQLite's lastrowid)."""
    compiled = context.compiled
    if compiled is None or not getattr(compiled, "isinsert", False) or executemany:
        return
    plan = _plan_of(compiled, _write_plan)
    if plan is None or plan["pk"] is None or plan["pk"] in context.compiled_parameters[0]:
        return
    row_id = getattr(cursor, "lastrowid", None)
    if row_id:
        conn.info.setdefault(_PENDING, (set(), set()))[0].add(
            row_key(plan["table"].name, plan["pk"], row_id))


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
    committed = record.info.pop(_COMMITTED, None)
    if committed is not None:
        structural, live = committed
        live -= structural
        for function in _on_commit:
            function(structural, live)
