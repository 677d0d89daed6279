"""A write names the rows it touches itself: its RETURNING, widened by its table's key
columns (community/kernel/dependencies/writes.py), and narrowed again before SQLAlchemy
reads the answer, so the caller sees what it asked for and no second query runs.

The one place that reaches into SQLAlchemy's execution context: the fetch strategy a
result is built from (`cursor_fetch_strategy`, which dialects set for the same purpose;
the "no rows" strategy is a private singleton). Written for SQLAlchemy 2.1
(tests/community/web/pagecache/test_write_keys.py pins it): on a new version, check
DefaultExecutionContext._setup_dml_or_text_result still builds the result from it.
"""

from sqlalchemy.engine import cursor as _cursor


def can_widen(context):
    """The result is built the ordinary way (no dialect has taken it over)."""
    return context.cursor_fetch_strategy is _cursor._DEFAULT_FETCH


def take_keys(context, cursor, count, own):
    """The last `count` columns of every row the widened statement returned; SQLAlchemy
    gets the rest (`own`: the statement returned rows of its own), as the statement it
    compiled would have given them, or no rows."""
    rows = cursor.fetchall()
    if not own:  # every column is ours (psycopg builds a description on each ask)
        context.cursor_fetch_strategy = _cursor._NO_CURSOR_DML
        return rows
    description = cursor.description
    kept = len(description) - count
    context.cursor_fetch_strategy = _cursor.FullyBufferedCursorFetchStrategy(
        cursor, description[:kept], [row[:kept] for row in rows])
    return [row[kept:] for row in rows]
