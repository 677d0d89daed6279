"""Photos in trial reports: decoded and encoded anew by community/media/processing.py, as
every fan image is (only pixels survive: no EXIF or GPS of a tester's phone, no bytes after
the image), under a random name in the "uploads" storage area (community/media/storage.py); only the rows (TrialPhoto) and the
limit per report are this package's."""

import re

from flask_babel import gettext as _
from sqlalchemy import delete, select

from community.kernel.errors import NotFound, ValidationError
from community.kernel.extensions import db
from community.media import storage
from community.media.processing import process

from ..catalog.images import read_limited, uploads
from .models import TrialPhoto, TrialReport

MAX_PHOTOS = 4
NAME_RE = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp)$")


def store(files):
    """Check and write each upload (before the transaction); [(name, type, size)]."""
    files = [f for f in files or () if f is not None and getattr(f, "filename", "x")]
    if len(files) > MAX_PHOTOS:
        raise ValidationError(_("A report has %(n)d photos at most.", n=MAX_PHOTOS),
                              field="photos", code="too_many_images")
    checked = []
    for upload in files:
        clean = process(read_limited(upload))
        checked.append((clean.data, clean.extension, clean.content_type))
    stored = []
    for data, extension, content_type in checked:
        name = storage.new_name(extension)
        uploads().put(name, data, content_type)
        stored.append((name, content_type, len(data)))
    return stored


def add_rows(report_id, stored, now):
    for name, content_type, size in stored:
        db.session.add(TrialPhoto(report_id=report_id, filename=name, content_type=content_type,
                                  size=size, created_at=now))


def remove_of_closed(user_id, keep_posts):
    """Closing an account with its posts removed (community/datarights, after_close): the
    photos of its reports go with their answers, the rows now and the files, as (storage
    area, name), once the closing transaction commits."""
    if keep_posts:
        return []
    gone = db.session.scalars(delete(TrialPhoto).where(TrialPhoto.report_id.in_(
        select(TrialReport.id).where(TrialReport.user_id == user_id)))
        .returning(TrialPhoto.filename)).all()
    return [("uploads", name) for name in gone]


def discard(stored):
    """Files of a report that was not saved: the storage holds only what rows name."""
    for name, _type, _size in stored:
        uploads().delete(name)


def find(name, viewer):
    """(bytes, content type) of a photo the viewer may see: in a public report, or their
    own, or any for staff. NotFound otherwise, so no name reaches the storage unchecked."""
    if not NAME_RE.match(name or ""):
        raise NotFound(_("No such file."))
    row = db.session.execute(
        select(TrialPhoto.content_type, TrialReport.public, TrialReport.user_id)
        .join(TrialReport, TrialReport.id == TrialPhoto.report_id)
        .where(TrialPhoto.filename == name)).first()
    if row is None:
        raise NotFound(_("No such file."))
    signed_in = viewer is not None and viewer.is_authenticated
    if not (row.public or (signed_in and (viewer.is_staff or viewer.id == row.user_id))):
        raise NotFound(_("No such file."))
    data = uploads().get(name)
    if data is None:
        raise NotFound(_("No such file."))
    return data, row.content_type
