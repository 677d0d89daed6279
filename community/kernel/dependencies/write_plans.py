"""How the keys of a compiled write are found, worked out once per compiled statement.

A write moves its table's key, the keys of every key column of every row it touches (as
the row was and as it is), or its table's T* where it cannot name them. Where they come
from (`how`):

- "params": the statement names them. An INSERT's values; an UPDATE or DELETE whose
  WHERE pins every key column (``col = :v``, ``col IN (...)``), with the new values of
  the key columns it sets among its parameters.
- "returning": the statement's own RETURNING, widened by the key columns
  (returning.py): the rows as they are after it. Where an UPDATE sets a key column, the
  rows' old values must be pinned by its WHERE as well.
- "lookup" (SQLite only): a SELECT of the rows by the write's own WHERE, run just before
  it inside the write lock: the rows as they were. For an UPDATE that sets a key column
  its WHERE does not pin, and for a write run with many parameter sets (executemany
  returns no rows). On PostgreSQL those move T* instead: a lookup that meets a cut
  connection fails inside the write's own execution, a 500 where the outage gives 503.
- "table": T* (an UPDATE or DELETE without WHERE).

An INSERT whose parameters cannot name a key (INSERT ... SELECT, a server default)
falls back to its RETURNING likewise.
"""

import re

from sqlalchemy import Table

from .clauses import _pinned, _plain
from .keys import _shape

_SET_NAMES = re.compile(r'(?:\bSET\s+|,\s*)"?(\w+)"?\s*=', re.I)


_INSERT_NAMES = re.compile(r'^\s*INSERT\s+INTO\s+"?\w+"?\s*\(([^)]*)\)', re.I)


class WritePlan:
    __slots__ = ("columns", "how", "insert", "key_list", "keys", "live", "name", "pins",
                 "pinned", "pk", "private", "returning", "returns_own", "set_keys", "table")

    def __init__(self, table, keys, pk):
        self.table, self.name, self.keys, self.pk = table, table.name, keys, pk
        self.key_list = tuple(sorted(keys))
        # A live table's every write is live (keys.live_table); else an UPDATE's, below.
        self.insert, self.live, self.columns = False, bool(table.info.get("live")), None
        # A table visitors may not see (keys.private_table): no stored page read it.
        self.private = table.info.get("visitors") is False
        self.set_keys, self.pinned, self.pins = (), {}, ()
        self.how, self.returning, self.returns_own = "table", None, False


def write_plan(compiled):
    statement = compiled.statement
    table = getattr(statement, "table", None)
    if not isinstance(table, Table):
        return None
    table = _plain(table)
    keys, live, pk = _shape(table)
    plan = WritePlan(table, keys, pk)
    dialect = compiled.dialect
    sql = compiled.string
    if compiled.isinsert:
        plan.insert, plan.how = True, "params"
        found = _INSERT_NAMES.match(sql)
        plan.columns = tuple(n.strip().strip('"') for n in found.group(1).split(",")) \
            if found else None
        _returning(plan, compiled, dialect.insert_returning)
        return plan
    where = getattr(statement, "whereclause", None)
    if where is None or _where_at(sql) < 0:
        return plan
    names = set()
    if compiled.isupdate:
        # Names inside a subquery of the SET list are taken too: never fewer than are set.
        names = set(_SET_NAMES.findall(sql[:_where_at(sql)]))
        plan.live = plan.live or (bool(names) and names <= live)
    plan.set_keys = tuple(sorted(keys & names))
    plan.pinned = _pinned(table, where, {_plain(b): n for b, n in compiled.bind_names.items()})
    sqlite = dialect.name == "sqlite"
    can_return = dialect.update_returning if compiled.isupdate else dialect.delete_returning
    if plan.pinned.keys() >= keys:
        plan.how, plan.pins = "params", plan.key_list
    elif can_return and plan.pinned.keys() >= set(plan.set_keys):
        plan.how, plan.pins = "returning", plan.set_keys
    elif sqlite:
        plan.how = "lookup"
    if plan.how in ("params", "returning"):
        _returning(plan, compiled, can_return)
    return plan


def _returning(plan, compiled, supported):
    """What widens the statement's RETURNING by the table's key columns."""
    if not supported or compiled.dialect.name not in ("sqlite", "postgresql"):
        return
    quote = compiled.preparer.quote
    columns = ", ".join(f"{quote(plan.name)}.{quote(c)}" for c in plan.key_list)
    plan.returns_own = bool(compiled.effective_returning)
    plan.returning = (", " if plan.returns_own else " RETURNING ") + columns


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


def condition(sql):
    """The WHERE of an UPDATE or DELETE as run, or None."""
    found = _where_at(sql)
    if found < 0:
        return None
    return sql[found + len(" WHERE "):].split(" RETURNING ", 1)[0]
