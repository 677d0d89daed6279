"""What a render read and what a transaction wrote, as keys a stored page is checked by.

A page that may be stored records the keys of everything it read while it is drawn; a
commit hands the keys of everything it wrote to whoever listens (the page cache bumps
their versions, community/web/pagecache/freshness.py). Both sides are worked out from the
SQL as it goes to the driver, so a view cannot forget to declare what it shows:

- ``T``: the whole table T. A read of T that no key narrows depends on it; every write
  to T moves it.
- ``T.col=v``: the rows of T whose key column `col` holds v. A read whose WHERE is a
  conjunction holding ``col = v`` (or ``col IN (...)``) on one of T's key columns
  depends on those keys alone (rows elsewhere cannot enter its answer), and on ``T*``.
  A write moves the keys of every key column of every row it touches, as the row was
  and as it is. Key columns: the primary key, foreign keys, unique columns.
- ``T*``: T's rows that a write could not name (an UPDATE whose WHERE holds no primary
  key, a key column set to an expression). Moves every narrowed read of T.
- ``*``: moved by every commit; a read of SQL we cannot read (text) depends on it. A
  write of such SQL hands on ``!``: every stored page is stale.

Rows an ORM read loads are noted by primary key (``T.id=v``) as they load, so a
joined-eager author or board, whose join is decided by keys already noted, costs its
own rows rather than its whole table.

A write that sets only live columns (``info={"live": True}``: vote counts, reply
counts, units held) is a live write: its keys move as "live", which a page may lag
behind by a stated few seconds. Tables say whether a visitor may see them
(``info={"visitors": False}``): reading one while a shared page is drawn is noted
(`Reads.private`), and that page is never shared.
"""

import re
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Table, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapper
from sqlalchemy.pool import Pool
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ColumnClause,
    Label,
)
from sqlalchemy.sql.expression import Alias, CompoundSelect, Join, Select

ANY = "*"  # moved by every commit: a read of SQL we cannot read depends on it
UNKNOWN = "!"  # a write of SQL we cannot read: every stored page is stale
_PENDING = "fanforge_written"  # on a connection's info: keys written, not yet committed
_COMMITTED = "fanforge_committed"  # committed, handed on when the connection checks in
_reads = ContextVar("fanforge_reads", default=None)
_on_commit = []  # functions(structural_keys, live_keys) called after a commit
_SET_NAMES = re.compile(r'(?:\bSET\s+|,\s*)"?(\w+)"?\s*=', re.I)
_INSERT_NAMES = re.compile(r'^\s*INSERT\s+INTO\s+"?\w+"?\s*\(([^)]*)\)', re.I)


class Reads:
    """The keys one render read (a set) and whether it read a table visitors may not see."""

    __slots__ = ("clock", "keys", "private", "private_tables")

    def __init__(self):
        self.keys = set()
        self.private = False
        self.private_tables = set()
        self.clock = False  # it asked the time: what it shows may change with the minute


@contextmanager
def recording():
    """Note the keys of every read meanwhile (this context's): yields the Reads."""
    reads = Reads()
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


@contextmanager
def not_recording():
    """Reads meanwhile are not the page's (a reader's own holes)."""
    token = _reads.set(None)
    try:
        yield
    finally:
        _reads.reset(token)


def start_recording():
    """recording() for a request: stop_recording() ends it (a request's hooks cannot hold a
    with block). Returns the Reads."""
    reads = Reads()
    _reads.set(reads)
    return reads


def stop_recording():
    _reads.set(None)


def note_identity_map(session):
    """Rows the session already holds (loaded before recording began) are read by key:
    an ORM lookup of one of them runs no SQL this render could note."""
    reads = _reads.get()
    if reads is None:
        return
    for cls, identity, _token in list(session.identity_map.keys()):
        table = getattr(cls, "__table__", None)
        pk = _shape(table)[2] if isinstance(table, Table) else None
        if pk is not None and len(identity) == 1:
            reads.keys.add(row_key(table.name, pk, identity[0]))
            reads.keys.add(f"{table.name}*")


def note_clock():
    reads = _reads.get()
    if reads is not None:
        reads.clock = True


def note_read(key):
    """A read of something that is not SQL (the search index): `key` names it."""
    reads = _reads.get()
    if reads is not None:
        reads.keys.add(key)


def on_commit(function):
    """function(structural_keys, live_keys) runs after every commit that wrote something."""
    if function not in _on_commit:
        _on_commit.append(function)


# ---- what a table's keys are -------------------------------------------------

_TABLES = {}  # Table -> (key column names, live column names, primary key name or None)
_PK_BY_NAME = {}  # table name -> its primary key's name


def _shape(table):
    shape = _TABLES.get(table)
    if shape is None:
        keys = {c.name for c in table.primary_key.columns}
        keys |= {c.name for c in table.columns if c.foreign_keys or c.unique}
        keys |= {next(iter(u.columns)).name for u in table.constraints
                 if type(u).__name__ == "UniqueConstraint" and len(u.columns) == 1}
        live = {c.name for c in table.columns if c.info.get("live")}
        pk = list(table.primary_key.columns)
        shape = _TABLES[table] = (frozenset(keys), frozenset(live),
                                  pk[0].name if len(pk) == 1 else None)
        _PK_BY_NAME[table.name] = shape[2]
    return shape


def row_key(table_name, column, value):
    return f"{table_name}.{column}={value}"


# ---- reads -------------------------------------------------------------------

def _leaves(from_clause):
    if isinstance(from_clause, Join):
        yield from _leaves(from_clause.left)
        yield from _leaves(from_clause.right)
    else:
        yield from_clause


def _table_of(leaf):
    if isinstance(leaf, Table):
        return leaf
    if isinstance(leaf, Alias) and isinstance(leaf.element, Table):
        return leaf.element
    return None


def _conjuncts(clause):
    if clause is None:
        return []
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        return [c for part in clause.clauses for c in _conjuncts(part)]
    return [clause]


def _narrowing(leaf, table, where, bind_names):
    """(column name, bind name, expanding) of the first key column the WHERE pins down."""
    keys = _shape(table)[0]
    for clause in _conjuncts(where):
        if not isinstance(clause, BinaryExpression):
            continue
        column, value = clause.left, clause.right
        if not isinstance(value, BindParameter) \
                or _plain(getattr(column, "table", None)) is not _plain(leaf):
            continue
        if column.name in keys and (clause.operator is operators.eq
                                    or clause.operator is operators.in_op):
            return column.name, bind_names.get(_plain(value)), value.expanding
    return None


def _joined_on_key(leaf, table, onclauses, statement):
    """A table joined by its primary key (``JOIN users AS users_1 ON users_1.id =
    ideas.author_id``, ``JOIN products ON products.id = product_ideas.product_id``) whose
    columns neither filter the rows nor pick them by order: which of its rows join is decided by the
    other side's keys, and the rows it gives are noted as they load (its entity's rows)."""
    pk = _shape(table)[2]
    if pk is None:
        return False
    limited = statement._limit_clause is not None or statement._offset_clause is not None
    shaping = [statement.whereclause, *statement._group_by_clauses,
               *statement._having_criteria, *(statement._order_by_clauses if limited else ())]
    if any(_plain(getattr(column, "table", None)) is _plain(leaf)
           for clause in shaping if clause is not None
           for column in visitors.iterate(clause) if isinstance(column, ColumnClause)):
        return False
    return next(_join_partners(leaf, pk, onclauses), None) is not None


def _selected(statement, leaf, table, onclauses):
    """Which column of the answer holds the joined leaf's primary key (its own, or the
    column it is joined to), or None."""
    pk = _shape(table)[2]
    wanted = [(_plain(leaf), pk)] + [(_plain(getattr(other, "table", None)), other.name)
                                     for other in _join_partners(leaf, pk, onclauses)]
    for i, column in enumerate(statement.selected_columns):
        column = _plain(column.element if isinstance(column, Label) else column)
        for owner, name in wanted:
            if getattr(column, "name", None) == name and \
                    _plain(getattr(column, "table", None)) is owner:
                return i
    return None


def _join_partners(leaf, pk, onclauses):
    """The columns of other tables the leaf's primary key is joined to."""
    for onclause in onclauses:
        for clause in _conjuncts(onclause):
            if isinstance(clause, BinaryExpression) and clause.operator is operators.eq:
                mine, other = clause.left, clause.right
                if _plain(getattr(other, "table", None)) is _plain(leaf):
                    mine, other = other, mine
                if (_plain(getattr(mine, "table", None)) is _plain(leaf) and mine.name == pk
                        and _plain(getattr(other, "table", None)) is not _plain(leaf)
                        and isinstance(other, ColumnClause)):
                    yield other


def _entity_tables(compiled):
    """The tables whose rows an ORM statement loads as objects (noted as they load)."""
    state = compiled.compile_state
    tables = set()
    for entity in getattr(state, "_entities", ()):
        # Whole objects only: a column of an entity (select(User.id, ...)) loads no object.
        if type(entity).__name__ == "_MapperEntity":
            tables.update(_plain(t) for t in entity.mapper.tables)
    return tables


def _join_conditions(from_clause, out):
    """Every ON clause of a FROM's joins."""
    if isinstance(from_clause, Join):
        _join_conditions(from_clause.left, out)
        _join_conditions(from_clause.right, out)
        if from_clause.onclause is not None:
            out.append(from_clause.onclause)
    return out


def _plain(element):
    return element._deannotate() if hasattr(element, "_deannotate") else element


def _subquery_tables(statement):
    """Tables read inside subqueries (EXISTS, scalar SELECTs, derived tables): read whole."""
    tables = set()
    for element in visitors.iterate(statement):
        if element is not statement and isinstance(element, (Select, CompoundSelect)):
            tables.update(_plain(t) for t in visitors.iterate(element) if isinstance(t, Table))
    return tables


def _read_plan(compiled, rows_seen=False):
    """How a compiled SELECT's keys come from its parameters: [(table name, narrowing)]
    where a narrowing is (column, bind name, expanding), () for rows noted as they load,
    ("row", i) for rows noted from column i of the answer (`rows_seen`: the caller hands
    the rows to note_rows), or None for the whole table; and the tables it reads that
    visitors may not see."""
    statement = getattr(getattr(compiled, "compile_state", None), "statement", None)
    if statement is None:
        statement = compiled.statement
    entities = type(compiled.compile_state).__name__ == "_ORMSelectCompileState"
    loaded = _entity_tables(compiled) if entities else set()
    where = getattr(statement, "whereclause", None)
    bind_names = {_plain(bind): name for bind, name in compiled.bind_names.items()}
    plan, tables = [], set()
    froms = statement.get_final_froms() if hasattr(statement, "get_final_froms") else []
    for from_clause in froms:
        onclauses = _join_conditions(from_clause, [])
        for leaf in _leaves(from_clause):
            table = _table_of(_plain(leaf))
            if table is None:
                continue
            tables.add(table)
            narrowed = _narrowing(leaf, table, where, bind_names)
            if narrowed is not None:
                plan.append((table.name, narrowed))
            elif (((isinstance(leaf, Alias) and loaded) or table in loaded)
                  and _joined_on_key(leaf, table, onclauses, statement)):
                plan.append((table.name, ()))  # its rows are noted as they load
            elif (rows_seen and _joined_on_key(leaf, table, onclauses, statement)
                  and _selected(statement, leaf, table, onclauses) is not None):
                plan.append((table.name, ("row", _selected(statement, leaf, table, onclauses))))
            else:
                plan.append((table.name, None))
    for table in _subquery_tables(statement):
        tables.add(table)
        plan.append((table.name, None))
    if not froms:  # a shape we cannot take apart: every table it names, whole
        for table in {_plain(t) for t in visitors.iterate(statement) if isinstance(t, Table)}:
            tables.add(table)
            plan.append((table.name, None))
    private = {table.name for table in tables if table.info.get("visitors") is False}
    return plan, private


_PLANS = {}  # id(compiled) -> (compiled, plan): compiled statements live in SQLAlchemy's cache


def _plan_of(compiled, build):
    found = _PLANS.get(id(compiled))
    if found is None or found[0] is not compiled:
        if len(_PLANS) > 4096:
            _PLANS.clear()
        found = _PLANS[id(compiled)] = (compiled, build(compiled))
    return found[1]


def _values(params, name, expanding):
    if not expanding:
        return [params.get(name)] if name in params else None
    values, n = [], 1
    while f"{name}_{n}" in params:
        values.append(params[f"{name}_{n}"])
        n += 1
    return values


def read_keys(plan, params):
    """The keys a read with this plan and these parameters depends on."""
    keys = set()
    for table, narrowed in plan:
        if narrowed is None:
            keys.add(table)
        elif not narrowed or narrowed[0] == "row":
            keys.add(f"{table}*")
        else:
            column, name, expanding = narrowed
            values = _values(params, name, expanding) if name is not None else None
            if values is None:
                keys.add(table)
            else:
                keys.add(f"{table}*")
                keys.update(row_key(table, column, v) for v in values)
    return keys


def _note_select(reads, compiled, params):
    plan, private = _plan_of(compiled, _read_plan)
    reads.keys |= read_keys(plan, params)
    if private:
        reads.private = True
        reads.private_tables |= private


def note_select(compiled, params, rows):
    """For SELECTs run past SQLAlchemy (community/kernel/compiled.py): `compiled` as
    compiled for the driver, `params` by bind name (an expanding list under its name),
    and the rows it gave (a table joined by its key is noted by the rows it gave)."""
    reads = _reads.get()
    if reads is None:
        return
    flat = {}
    for name, value in params.items():
        if isinstance(value, (list, tuple)):
            flat.update({f"{name}_{n}": v for n, v in enumerate(value, 1)})
        else:
            flat[name] = value
    plan, private = _plan_of(compiled, _read_plan_seeing_rows)
    reads.keys |= read_keys(plan, flat)
    for table, narrowed in plan:
        if narrowed and narrowed[0] == "row":
            pk, i = _shape_by_name(table), narrowed[1]
            reads.keys.update(row_key(table, pk, row[i]) for row in rows if row[i] is not None)
    if private:
        reads.private = True
        reads.private_tables |= private


def _read_plan_seeing_rows(compiled):
    return _read_plan(compiled, rows_seen=True)



def _shape_by_name(table_name):
    return _PK_BY_NAME[table_name]


# ---- writes ------------------------------------------------------------------

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


def _lookup(cursor, sql, parameters):
    """Rows as they are now (before an UPDATE or DELETE), as dicts."""
    lookup = cursor.connection.cursor()
    try:
        lookup.execute(sql, parameters)
        names = [d[0] for d in lookup.description]
        return [dict(zip(names, row, strict=True)) for row in lookup.fetchmany(LOOKUP_ROWS + 1)]
    finally:
        lookup.close()


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


def _rows_where(cursor, plan, sql, parameters_list, paramstyle):
    """The key columns of the rows a write's own WHERE picks, or None."""
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
        try:
            rows += _lookup(cursor, lookup, parameters)
        except Exception:  # noqa: BLE001 - any failure: the rows are unknown, T* moves
            return None
        if len(rows) > LOOKUP_ROWS:
            return None
    return rows


def _write_keys(plan, params_list, cursor, paramstyle, sql, parameters):
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
        rows = _rows_where(cursor, plan, sql, parameters if isinstance(parameters, list)
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
    keys, unknown = _write_keys(plan, params_list, cursor, conn.dialect.paramstyle, sql,
                                parameters)
    if unknown:
        keys.add(f"{plan['table'].name}*")
    pending[1 if plan["live"] else 0].update(keys)


def _dml(compiled):
    return getattr(compiled, "isinsert", False) or getattr(compiled, "isupdate", False) \
        or getattr(compiled, "isdelete", False)


@event.listens_for(Engine, "before_cursor_execute")
def _before_cursor_execute(conn, cursor, statement, parameters, context, _executemany):
    if not _on_commit:  # nobody keeps pages in this process
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
    pending = conn.info.pop(_PENDING, None)
    if pending is not None:
        committed = conn.info.setdefault(_COMMITTED, (set(), set()))
        committed[0].update(pending[0])
        committed[1].update(pending[1])


@event.listens_for(Engine, "rollback")
def _rollback(conn):
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


@event.listens_for(Mapper, "load")
def _loaded(target, _context):
    reads = _reads.get()
    if reads is not None:
        table = target.__table__
        pk = _shape(table)[2]
        if pk is not None:
            reads.keys.add(row_key(table.name, pk, getattr(target, pk)))


def private_table():
    """__table_args__ of a table no signed-out page shows (a message, a notification): a
    page that may be shared and reads it is not shared (Reads.private)."""
    return {"info": {"visitors": False}}


def live():
    """info= of a column that moves every second (a vote count, units held): writing only
    such columns is a live write, which a stored page may lag behind."""
    return {"live": True}
