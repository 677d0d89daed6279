"""Where media files live, behind one small interface.

A backend has three methods, and names are always storage.new_name()'s (random hex and
an extension), checked by NAME_RE before any backend sees them. Besides images it keeps
members' data exports (.zip, community/datarights/export.py), which /media/ never serves:
it serves only names media_images lists.

    put(name, data, content_type)   store the bytes (never overwrites: names are new)
    get(name) -> bytes | None       the bytes, or None when missing
    delete(name)                    forget it (missing is fine)
    public_url(name) -> str | None  where a browser may read it directly (None: through
                                    the app, which /media/ and /uploads/ then serve)

Two areas use it: "media" (fans' images, community/media) and "uploads" (product images
and trial photos, products/). FANFORGE_MEDIA_STORAGE chooses the backend for both:

- local (the default): files in the instance folder, FANFORGE_MEDIA_DIR (instance/media)
  and FANFORGE_UPLOAD_DIR (instance/uploads). One host only: another host's disk has
  none of them.
- database: the bytes in the media_blobs table (MediaBlob), so every host on the
  database serves every file with no shared disk. put() and delete() commit on a
  connection of their own, as a file write would, so a use case writes its files before
  its transaction and deletes them after, whichever backend runs.

- s3: an S3-compatible bucket (AWS, MinIO, OSS, ...), s3.py, FANFORGE_MEDIA_S3_* settings.

A backend is registered with register_backend(kind, factory) and chosen with
FANFORGE_MEDIA_STORAGE=<kind>; factory(app, area) builds it from the app's config.
"""

import contextlib
import os
import re
import secrets

from flask import current_app
from sqlalchemy import bindparam, delete, event, insert, select

from ..kernel.database import WRITE_OPTION
from ..kernel.extensions import db
from .models import MediaBlob

NAME_RE = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp|zip)$")
AREAS = {"media": ("MEDIA_DIR", "media"), "uploads": ("UPLOAD_DIR", "uploads")}
_FACTORIES = {}


def new_name(extension):
    return f"{secrets.token_hex(16)}.{extension}"


def valid_name(name):
    return bool(NAME_RE.match(name or ""))


def checked_name(name):
    if not valid_name(name):
        raise ValueError(f"not a media name: {name!r}")
    return name


class ServedByTheApp:
    """A backend browsers cannot read directly: /media/ and /uploads/ pass its bytes on."""

    def public_url(self, name):
        return None


class LocalStorage(ServedByTheApp):
    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)

    def _path(self, name):
        return os.path.join(self.folder, checked_name(name))

    def put(self, name, data, content_type):
        with open(self._path(name), "xb") as out:
            out.write(data)

    def get(self, name):
        try:
            with open(self._path(name), "rb") as found:
                return found.read()
        except FileNotFoundError:
            return None

    def delete(self, name):
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._path(name))

_DELETES = "fanforge_media_deletes"  # on a session's info: deletes waiting for its end


def _after_transaction(session, ended):
    """The outermost transaction ended (commit or rollback): the deletes asked for in it."""
    if ended.parent is None:
        waiting = session.info.pop(_DELETES, ())
        for storage, params in waiting:
            storage._write(storage._DELETE, params)


def _in_write_transaction(session):
    """Whether the session holds a use case's write transaction (transaction())."""
    return session.in_transaction() and bool(
        session.connection().get_execution_options().get(WRITE_OPTION))


class DatabaseStorage(ServedByTheApp):
    """Bytes in the media_blobs table, through a connection of its own (a write commits
    at once, taking SQLite's write turn as any writer does; a read sees the latest
    commit, not the snapshot the request's session began with).

    On SQLite a second connection cannot write while the request's own holds the write
    turn, so a delete asked for inside a use case's transaction (a form sent twice
    discards its new files there) waits for that transaction to end, committed or
    rolled back; a put there is a mistake (files go in before the transaction) and says so.
    """

    _PUT = insert(MediaBlob.__table__)
    _GET = select(MediaBlob.__table__.c.data).where(MediaBlob.__table__.c.name == bindparam("name"))
    _DELETE = delete(MediaBlob.__table__).where(MediaBlob.__table__.c.name == bindparam("name"))

    def _write(self, statement, params):
        with db.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                conn.execute(statement, params)

    def put(self, name, data, content_type):
        if _in_write_transaction(db.session()):
            raise RuntimeError("store files before the use case's transaction, not inside it")
        self._write(self._PUT, {"name": checked_name(name), "content_type": content_type,
                                "data": data})

    def get(self, name):
        with db.engine.connect() as conn:
            return conn.scalar(self._GET, {"name": checked_name(name)})

    def delete(self, name):
        params = {"name": checked_name(name)}
        session = db.session()
        if not _in_write_transaction(session):
            self._write(self._DELETE, params)
            return
        session.info.setdefault(_DELETES, []).append((self, params))
        if not event.contains(session, "after_transaction_end", _after_transaction):
            event.listen(session, "after_transaction_end", _after_transaction)

def _local(app, area):
    setting, folder = AREAS[area]
    return LocalStorage(app.config.get(setting) or os.path.join(app.instance_path, folder))


def _database(_app, _area):
    return DatabaseStorage()


def register_backend(kind, factory):
    _FACTORIES[kind] = factory


def backend_factory(kind):
    """The factory registered for `kind` (factory(app, area) -> backend)."""
    return _FACTORIES[kind]


register_backend("local", _local)
register_backend("database", _database)


def backend(area="media"):
    """The app's storage backend for `area`, built on first use."""
    if area not in AREAS:
        raise ValueError(f"not a storage area: {area!r}")
    app = current_app._get_current_object()
    key = "media_storage" if area == "media" else f"media_storage:{area}"
    found = app.extensions.get(key)
    if found is None:
        kind = app.config.get("MEDIA_STORAGE", "local")
        if kind not in _FACTORIES:
            raise RuntimeError(f"FANFORGE_MEDIA_STORAGE={kind!r}: not one of "
                               f"{', '.join(sorted(_FACTORIES))}")
        found = app.extensions[key] = _FACTORIES[kind](app, area)
    return found
