"""Reading a compiled statement: its FROM leaves, the key columns its WHERE pins down,
the tables joined by their keys; a plan per compiled statement, kept."""

from sqlalchemy import Table
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    CollectionAggregate,
    ColumnClause,
    Grouping,
    Label,
)
from sqlalchemy.sql.expression import Alias, CompoundSelect, Join, Select

from .keys import _shape


def _plain(element):
    return element._deannotate() if hasattr(element, "_deannotate") else element


def _conjuncts(clause):
    if clause is None:
        return []
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        return [c for part in clause.clauses for c in _conjuncts(part)]
    return [clause]


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


# The `expanding` of a narrowing by PostgreSQL's `col = ANY(:array)`: one parameter whose
# value is the list (flattened to name_1, name_2... as an expanding IN's on the driver path).
ARRAY = "array"


def _values(params, name, expanding):
    if not expanding:
        return [params.get(name)] if name in params else None
    if expanding == ARRAY and name in params:
        found = params[name]
        return list(found) if isinstance(found, (list, tuple)) else None
    values, n = [], 1
    while f"{name}_{n}" in params:
        values.append(params[f"{name}_{n}"])
        n += 1
    return values


def _narrowing(leaf, table, where, bind_names):
    """(column name, bind name, expanding) of the first key column the WHERE pins down."""
    keys = _shape(table)[0]
    for clause in _conjuncts(where):
        if not isinstance(clause, BinaryExpression):
            continue
        column = clause.left
        value, expanding = _compared_to(clause)
        if value is None or _plain(getattr(column, "table", None)) is not _plain(leaf):
            continue
        if column.name in keys and (clause.operator is operators.eq
                                    or clause.operator is operators.in_op):
            return column.name, bind_names.get(_plain(value)), expanding
    return None


def _compared_to(clause):
    """(the parameter a comparison's values come from, how: False for one value, True for
    an expanding IN's list, ARRAY for `= ANY(:array)`), or (None, False)."""
    value = clause.right
    if isinstance(value, BindParameter):
        return value, value.expanding
    if isinstance(value, CollectionAggregate) and value.operator is operators.any_op \
            and clause.operator is operators.eq:
        inner = value.element
        while isinstance(inner, Grouping):
            inner = inner.element
        if isinstance(inner, BindParameter):
            return inner, ARRAY
    return None, False


def _pinned(table, where, bind_names):
    """{column name: (bind name, expanding)} of every key column of `table` that the WHERE
    pins down (a conjunct ``col = :v`` or ``col IN (:v)``): the rows it picks hold those
    values there, whatever else the WHERE says."""
    table = _plain(table)
    keys, pinned = _shape(table)[0], {}
    for clause in _conjuncts(where):
        if isinstance(clause, BinaryExpression) and isinstance(clause.right, BindParameter) \
                and (clause.operator is operators.eq or clause.operator is operators.in_op) \
                and _plain(getattr(clause.left, "table", None)) is table \
                and clause.left.name in keys and clause.left.name not in pinned:
            name = bind_names.get(_plain(clause.right))
            if name is not None:
                pinned[clause.left.name] = (name, clause.right.expanding)
    return pinned


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


def _subquery_tables(statement):
    """Tables read inside subqueries (EXISTS, scalar SELECTs, derived tables): read whole."""
    tables = set()
    for element in visitors.iterate(statement):
        if element is not statement and isinstance(element, (Select, CompoundSelect)):
            tables.update(_plain(t) for t in visitors.iterate(element) if isinstance(t, Table))
    return tables


_PLANS = {}  # id(compiled) -> (compiled, plan): compiled statements live in SQLAlchemy's cache


def _plan_of(compiled, build):
    found = _PLANS.get(id(compiled))
    if found is None or found[0] is not compiled:
        if len(_PLANS) > 4096:
            _PLANS.clear()
        found = _PLANS[id(compiled)] = (compiled, build(compiled))
    return found[1]
