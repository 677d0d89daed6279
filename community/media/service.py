"""Attaching images: who may attach how many, storing them, and reading them back.

A use case that takes images (a reply, a review) does it in three steps, so a refused
image writes nothing and a failed transaction leaves no file behind:

    found = media.prepare(files, user)              # checks and re-encodes; may refuse
    with media.pending(found) as stored:            # files written; removed on error
        with transaction():
            ... the post or review ...
            media.add_rows(stored, "post", post.id, user.id)

How many images a fan may attach to one item goes by level (MEDIA_IMAGES_BY_LEVEL,
{level: count from that level up}); staff may attach MAX_PER_ITEM; a use case may grant
a floor (a verified buyer's review).
"""

import contextlib
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, func, select

from ..kernel.database import transaction, utcnow
from ..kernel.errors import Conflict, NotFound, ValidationError
from ..kernel.extensions import db
from ..kernel.reads import rows_among
from . import deletes, storage
from .models import MediaImage
from .processing import process, read_limited

MAX_PER_ITEM = 9
# From level 2 a fan may attach 3 images to a post; from level 3, the cap.
DEFAULT_LEVEL_LIMITS = {2: 3, 3: MAX_PER_ITEM}


class Stored(NamedTuple):
    name: str
    thumb_name: str
    content_type: str
    size: int
    width: int
    height: int


def allowance(user, floor=0):
    """How many images `user` may attach to one item."""
    if user is None or not user.is_authenticated:
        return 0
    if user.is_staff:
        return MAX_PER_ITEM
    limits = current_app.config.get("MEDIA_IMAGES_BY_LEVEL") or DEFAULT_LEVEL_LIMITS
    count, level = 0, user.level.number
    for needed, allowed in sorted((int(k), int(v)) for k, v in limits.items()):
        if level >= needed:
            count = allowed
    return min(max(count, floor), MAX_PER_ITEM)


def chosen(files):
    """The files a form really sent (an empty file input sends one with no name)."""
    return [f for f in files or () if f is not None and getattr(f, "filename", None)]


def prepare(files, user, already=0, floor=0):
    """Check and re-encode the chosen files; ValidationError names the first refusal."""
    files = chosen(files)
    if not files:
        return []
    allowed = allowance(user, floor)
    if allowed == 0:
        raise ValidationError(_("Your level does not allow attaching images yet."),
                              field="images", code="images_not_allowed")
    if already + len(files) > allowed:
        raise ValidationError(
            _("You can attach %(n)d images here at most.", n=allowed), field="images",
            code="too_many_images")
    return [process(read_limited(f)) for f in files]


@contextlib.contextmanager
def pending(processed):
    """Write the files; yields their Stored rows-to-be, and deletes them on an error."""
    backend, stored = storage.backend() if processed else None, []
    try:
        for item in processed:
            name, thumb = storage.new_name(item.extension), storage.new_name(item.extension)
            stored.append(Stored(name, thumb, item.content_type, len(item.data),
                                 item.width, item.height))
            backend.put(name, item.data, item.content_type)
            backend.put(thumb, item.thumb, item.content_type)
        yield stored
    except BaseException:
        discard(stored)
        raise


def discard(stored):
    """Delete files pending() wrote that will not be used (a form sent twice)."""
    backend = storage.backend() if stored else None
    for row in stored:
        backend.delete(row.name)
        backend.delete(row.thumb_name)


def add_rows(stored, owner_kind, owner_id, uploader_id):
    """Inside the caller's transaction: the rows for files pending() wrote."""
    if not stored:
        return
    count, last = db.session.execute(
        select(func.count(), func.max(MediaImage.position))
        .where(MediaImage.owner_kind == owner_kind, MediaImage.owner_id == owner_id)).one()
    if count + len(stored) > MAX_PER_ITEM:
        raise Conflict(_("You can attach %(n)d images here at most.", n=MAX_PER_ITEM),
                       field="images", code="too_many_images")
    now, position = utcnow(), last or 0
    for row in stored:
        position += 1
        db.session.add(MediaImage(owner_kind=owner_kind, owner_id=owner_id,
                                  uploader_id=uploader_id, position=position, created_at=now,
                                  **row._asdict()))
    db.session.flush()


def count_of(owner_kind, owner_id):
    return db.session.scalar(select(func.count()).select_from(MediaImage).where(
        MediaImage.owner_kind == owner_kind, MediaImage.owner_id == owner_id))


# Built once and run on the driver: every thread page asks, and most pages have none.
_ANY_IMAGE = select(MediaImage.id).where(
    MediaImage.owner_kind == bindparam("kind"),
    MediaImage.owner_id.in_(bindparam("ids", expanding=True))).limit(1)


def images_of(owner_kind, owner_ids):
    """{owner id: [MediaImage, ...] in order} for the given owners: one statement, and
    one more for the images when there are any."""
    owner_ids = list(owner_ids)
    found = {}
    if not owner_ids or not rows_among(_ANY_IMAGE, owner_ids, kind=owner_kind):
        return found
    for image in db.session.scalars(
            select(MediaImage).where(MediaImage.owner_kind == owner_kind,
                                     MediaImage.owner_id.in_(owner_ids))
            .order_by(MediaImage.owner_id, MediaImage.position, MediaImage.id)):
        found.setdefault(image.owner_id, []).append(image)
    return found


def remove(owner_kind, owner_id, image_ids):
    """Take images off their owner (the caller checked who may); files go after commit."""
    image_ids = [int(i) for i in image_ids]
    if not image_ids:
        return 0
    with transaction():
        names = db.session.execute(
            delete(MediaImage).where(MediaImage.owner_kind == owner_kind,
                                     MediaImage.owner_id == owner_id,
                                     MediaImage.id.in_(image_ids))
            .returning(MediaImage.name, MediaImage.thumb_name)).all()
        noted = deletes.later([("media", name) for pair in names for name in pair])
    deletes.run(noted)
    return len(names)


def find(name):
    """(bytes, content type, None) of a stored image or thumbnail, or (None, content type,
    url) when the storage serves it at a public URL (s3.py); NotFound for anything else,
    so no name from a URL reaches a backend unchecked."""
    if not storage.valid_name(name):
        raise NotFound(_("No such file."))
    content_type = db.session.scalar(
        select(MediaImage.content_type).where(MediaImage.name == name)) or db.session.scalar(
        select(MediaImage.content_type).where(MediaImage.thumb_name == name))
    if not content_type:
        raise NotFound(_("No such file."))
    backend = storage.backend()
    if (url := backend.public_url(name)) is not None:
        return None, content_type, url
    data = backend.get(name)
    if data is None:
        raise NotFound(_("No such file."))
    return data, content_type, None
