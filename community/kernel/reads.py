"""compiled.py's prebuilt SELECTs for the pages' own reads, failing as SQLAlchemy fails.

compiled.py runs its statements on the driver, so a refused connection or a busy file
comes out as the driver's own exception, which the outage handlers (community/web/
errorpages.py, outages.py: a 503 with Retry-After, one log line per outage) do not
know: the page would be a 500 with a traceback per request. Here it comes out as the
SQLAlchemy error the same failure gives on the ORM's path. (A home in compiled.py
itself would serve its other callers too.)
"""

from datetime import datetime

from sqlalchemy import exc

from . import compiled
from .extensions import db


def rows_of(statement, **params):
    """compiled.rows_of, with the driver's errors as SQLAlchemy's."""
    return rows_among(statement, None, **params)


def rows_among(statement, ids, **params):
    """compiled.rows_among, with the driver's errors as SQLAlchemy's."""
    try:
        return compiled.rows_among(statement, ids, **params)
    except Exception as error:
        dbapi_error = db.engine.dialect.loaded_dbapi.Error
        if not isinstance(error, dbapi_error):
            raise
        raise exc.DBAPIError.instance(None, None, error, dbapi_error) from error


def moment(value):
    """A datetime read on the driver (compiled.py): SQLite gives the text SQLAlchemy
    stored, PostgreSQL a datetime already."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value
