"""The community's own periodic housekeeping of the database."""

from . import jobs
from .database import checkpoint_wal
from .extensions import db


@jobs.periodic("database.checkpoint", minute="*/5")
def checkpoint():
    """Empty SQLite's log every five minutes (nothing to do on PostgreSQL)."""
    done = checkpoint_wal(db.engine)
    return "not SQLite" if done is None else f"{done[1]} of {done[0]} log pages copied"
