"""`flask media copy-to-database`: the files of the local storage into the database one,
for a site moving to FANFORGE_MEDIA_STORAGE=database (several hosts). Every file with a
storage name in the instance folders (media and uploads) is copied unless the database
holds it already, so running it twice, or once more after the switch, is harmless."""

import os

import click
from flask import current_app
from flask.cli import AppGroup

from . import storage

media = AppGroup("media", help="Stored uploads (fans' images, product images, trial photos).")
TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


@media.command("copy-to-database")
def copy_to_database():
    """Copy the local folders' files into the media_blobs table."""
    app = current_app._get_current_object()
    target = storage.DatabaseStorage()
    copied = kept = 0
    for area in storage.AREAS:
        local = storage.backend_factory("local")(app, area)
        for name in sorted(os.listdir(local.folder)):
            if not storage.valid_name(name):
                continue
            if target.get(name) is not None:
                kept += 1
                continue
            target.put(name, local.get(name), TYPES[name.rsplit(".", 1)[1]])
            copied += 1
    click.echo(f"{copied} files copied, {kept} already in the database.")
