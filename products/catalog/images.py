"""Product images: PNG, JPEG or WebP up to 5 MB, checked by their content, never their name.

Files go to the "uploads" area of the media storage (community/media/storage.py: the
upload folder, FANFORGE_UPLOAD_DIR, or the database) under a random name; the database
row keeps the type found, which is what the file is served as.
"""

import io
import re

from flask_babel import gettext as _
from PIL import Image
from sqlalchemy import func, select

from community.forum.moderation import ensure_staff
from community.kernel.database import transaction, utcnow
from community.kernel.errors import Conflict, NotFound, ValidationError
from community.kernel.extensions import db
from community.media import deletes, storage

from .models import ProductImage

MAX_BYTES = 5 * 1024 * 1024
MAX_IMAGES = 12
# Well past any product photo; a small file claiming more is a decompression bomb.
MAX_PIXELS = 40_000_000
# Pillow format -> (file extension, content type). Nothing else is accepted.
FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"),
           "WEBP": ("webp", "image/webp")}
NAME_RE = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp)$")


def uploads():
    """Where product images and trial photos are stored (storage.py's interface)."""
    return storage.backend("uploads")


def read_limited(file_storage):
    """At most MAX_BYTES of the upload; one byte more means it is too big."""
    stream = getattr(file_storage, "stream", file_storage)
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("An image may be 5 MB at most."), field="image", code="too_large")
    if not data:
        raise ValidationError(_("Choose an image file."), field="image")
    return data


def detect(data):
    """(extension, content type) of a PNG, JPEG or WebP image, judged by its bytes."""
    refused = ValidationError(_("Upload a PNG, JPEG or WebP image."), field="image",
                              code="bad_image")
    try:
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
            found, (width, height) = image.format, image.size
            image.verify()
    except Exception:
        # Whatever the parser trips on (truncation, garbage, a decompression bomb) is a
        # refusal: the bytes come from outside.
        raise refused from None
    if width * height > MAX_PIXELS:
        raise refused
    if found not in FORMATS:
        raise refused
    return FORMATS[found]


def save_image(product, file_storage, actor):
    """Check and store an image for the product; returns its ProductImage row."""
    ensure_staff(actor)
    data = read_limited(file_storage)
    extension, content_type = detect(data)
    name = storage.new_name(extension)
    uploads().put(name, data, content_type)
    try:
        with transaction():
            count, last = db.session.execute(
                select(func.count(), func.max(ProductImage.position))
                .where(ProductImage.product_id == product.id)).one()
            if count >= MAX_IMAGES:
                raise Conflict(_("A product has %(n)d images at most.", n=MAX_IMAGES),
                               field="image", code="too_many_images")
            image = ProductImage(product_id=product.id, filename=name, content_type=content_type,
                                 size=len(data), position=(last or 0) + 1, created_at=utcnow())
            db.session.add(image)
    except BaseException:
        # No row, no file: the storage holds only what the database names.
        uploads().delete(name)
        raise
    return image


def remove_image(product, image_id, actor):
    ensure_staff(actor)
    with transaction():
        image = db.session.get(ProductImage, image_id)
        if image is None or image.product_id != product.id:
            raise NotFound(_("No such image."))
        name = image.filename
        db.session.delete(image)
        # After the commit: a failed delete leaves the file, never a row without one,
        # and the worker tries it again (community/media/deletes.py).
        noted = deletes.later([("uploads", name)])
    deletes.run(noted)


def find_upload(name):
    """(bytes, content type, None) of a stored upload, or (None, content type, url) when
    the storage serves it at a public URL; NotFound for anything else, so no name from a
    URL reaches the storage unchecked."""
    if not NAME_RE.match(name or ""):
        raise NotFound(_("No such file."))
    content_type = db.session.scalar(
        select(ProductImage.content_type).where(ProductImage.filename == name))
    if content_type is None:
        raise NotFound(_("No such file."))
    if (url := uploads().public_url(name)) is not None:
        return None, content_type, url
    data = uploads().get(name)
    if data is None:
        raise NotFound(_("No such file."))
    return data, content_type, None
