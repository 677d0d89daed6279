"""What a render read and what a transaction wrote, as keys a stored page is checked by.

A page that may be stored records the keys of everything it read while it is drawn; a
commit hands the keys of everything it wrote to whoever listens (the page cache bumps
their versions, community/web/pagecache/serving.py). Both sides are worked out from the
SQL as it goes to the driver, so a view cannot forget to declare what it shows:

- ``T``: the whole table T. A read of T that no key narrows depends on it; every write
  to T moves it.
- ``T.col=v``: the rows of T whose key column `col` holds v. A read whose WHERE is a
  conjunction holding ``col = v`` (or ``col IN (...)``) on one of T's key columns
  depends on those keys alone (rows elsewhere cannot enter its answer), and on ``T*``.
  A write moves the keys of every key column of every row it touches, as the row was
  and as it is. Key columns: the primary key, foreign keys, unique columns.
- ``T*``: T's rows that a write could not name (an UPDATE without WHERE, more than
  LOOKUP_ROWS rows; on PostgreSQL one that moves a key column its WHERE does not pin,
  or runs with many parameter sets). Moves every narrowed read of T.
- ``*``: moved by every commit; a read of SQL we cannot read (text) depends on it. A
  write of such SQL hands on ``!``: every stored page is stale.

Rows an ORM read loads are noted by primary key (``T.id=v``) as they load, so a
joined-eager author or board, whose join is decided by keys already noted, costs its
own rows rather than its whole table.

A write finds the keys of the rows it touches without a second query where it can: its
parameters, or its own RETURNING widened by the table's key columns (write_plans.py).

A write that sets only live columns (``info={"live": True}``: vote counts, reply
counts, units held), or any write to a live table (live_table(): the points ledger), is
a live write: its keys move as "live", which a page may lag
behind by a stated few seconds. Tables say whether a visitor may see them
(``info={"visitors": False}``): reading one while a shared page is drawn is noted
(`Reads.private`), and that page is never shared; so a write to one moves no key, and a
commit that wrote only such tables moves nothing, not even ``*``.
"""

from . import writes  # noqa: F401 - its listeners watch every engine
from .keys import ANY, UNKNOWN, live, live_table, private_table, row_key
from .reads import (
    Reads,
    note_clock,
    note_identity_map,
    note_read,
    note_select,
    recording,
    start_recording,
    stop_recording,
)
from .writes import driven_rows, note_driven, on_commit

__all__ = [
    "ANY", "UNKNOWN", "Reads", "driven_rows", "live", "live_table", "note_clock",
    "note_driven", "note_identity_map",
    "note_read", "note_select", "on_commit", "private_table", "recording", "row_key",
    "start_recording", "stop_recording",
]
