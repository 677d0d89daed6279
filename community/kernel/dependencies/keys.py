"""The keys of rows and tables, and what a table or column says of itself (private_table,
live)."""



ANY = "*"  # moved by every commit: a read of SQL we cannot read depends on it


UNKNOWN = "!"  # a write of SQL we cannot read: every stored page is stale


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


def _shape_by_name(table_name):
    return _PK_BY_NAME[table_name]


def private_table():
    """__table_args__ of a table no signed-out page shows (a message, a notification): a
    page that may be shared and reads it is not shared (Reads.private)."""
    return {"info": {"visitors": False}}


def live():
    """info= of a column that moves every second (a vote count, units held): writing only
    such columns is a live write, which a stored page may lag behind."""
    return {"live": True}


def live_table():
    """__table_args__ of a table whose every write is a live write: a ledger that only
    feeds figures which may lag (the points behind the leaderboards), written by every
    vote and reply."""
    return {"info": {"live": True}}
