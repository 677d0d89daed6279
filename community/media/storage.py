"""Where media files live, behind one small interface.

A backend has three methods, and names are always storage.new_name()'s (random hex and
an extension), checked by NAME_RE before any backend sees them. Besides images it keeps
members' data exports (.zip, community/datarights/export.py), which /media/ never serves:
it serves only names media_images lists.

    put(name, data, content_type)   store the bytes (never overwrites: names are new)
    get(name) -> bytes | None       the bytes, or None when missing
    delete(name)                    forget it (missing is fine)

The default is LocalStorage in the instance folder (FANFORGE_MEDIA_DIR, by default
instance/media). Another backend (S3-compatible storage for several hosts) is a class
with these three methods registered with register_backend(kind, factory) and chosen with
FANFORGE_MEDIA_STORAGE=<kind>; factory(app) builds it from the app's config (bucket,
endpoint, keys). None ships yet: boto3 is not a dependency.
"""

import contextlib
import os
import re
import secrets

from flask import current_app

NAME_RE = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp|zip)$")
_FACTORIES = {}


def new_name(extension):
    return f"{secrets.token_hex(16)}.{extension}"


def valid_name(name):
    return bool(NAME_RE.match(name or ""))


class LocalStorage:
    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)

    def _path(self, name):
        if not valid_name(name):
            raise ValueError(f"not a media name: {name!r}")
        return os.path.join(self.folder, name)

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


def _local(app):
    return LocalStorage(app.config.get("MEDIA_DIR") or os.path.join(app.instance_path, "media"))


def register_backend(kind, factory):
    _FACTORIES[kind] = factory


register_backend("local", _local)


def backend():
    """The app's storage backend, built on first use."""
    app = current_app._get_current_object()
    found = app.extensions.get("media_storage")
    if found is None:
        kind = app.config.get("MEDIA_STORAGE", "local")
        found = app.extensions["media_storage"] = _FACTORIES[kind](app)
    return found
