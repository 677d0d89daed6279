"""Which search backend an app uses: PostgreSQL's full-text search on PostgreSQL (every
host reads one index), whoosh files on SQLite or when SEARCH_BACKEND says "whoosh".

    SEARCH_BACKEND = ""          # the default: "postgresql" on PostgreSQL, else "whoosh"
    SEARCH_BACKEND = "whoosh"    # keep the whoosh index on PostgreSQL too (one host)
"""

from flask import current_app

from ..kernel.extensions import db

CHOICES = ("", "auto", "postgresql", "whoosh")


def check(app):
    choice = (app.config.get("SEARCH_BACKEND") or "").strip().lower()
    if choice not in CHOICES:
        raise RuntimeError(f"FANFORGE_SEARCH_BACKEND must be postgresql or whoosh, not {choice!r}")
    app.config["SEARCH_BACKEND"] = choice


def postgresql():
    """True when this app searches in PostgreSQL (never on SQLite, whatever is asked)."""
    choice = current_app.config.get("SEARCH_BACKEND") or ""
    return choice != "whoosh" and db.engine.dialect.name == "postgresql"


def name():
    return "postgresql" if postgresql() else "whoosh"
