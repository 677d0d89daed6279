"""What a render reads: the keys of its SQL as it runs, rows loaded, the clock."""

from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Table, event
from sqlalchemy.orm import Mapper
from sqlalchemy.sql import visitors
from sqlalchemy.sql.expression import Alias

from .clauses import (
    _entity_tables,
    _join_conditions,
    _joined_on_key,
    _leaves,
    _narrowing,
    _plain,
    _plan_of,
    _selected,
    _subquery_tables,
    _table_of,
    _values,
)
from .keys import _shape, _shape_by_name, row_key

_reads = ContextVar("fanforge_reads", default=None)


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


@event.listens_for(Mapper, "load")
def _loaded(target, _context):
    reads = _reads.get()
    if reads is not None:
        table = target.__table__
        pk = _shape(table)[2]
        if pk is not None:
            reads.keys.add(row_key(table.name, pk, getattr(target, pk)))
