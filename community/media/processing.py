"""Decode a fan's upload and encode it anew: only pixels survive.

The header is read first (Image.open decodes nothing): too many pixels is a refusal
before any decoding, so a small file that would inflate to gigabytes (a decompression
bomb) costs nothing. Pillow's own bomb warning is an error here too. Then the first
frame is decoded, turned upright (ImageOps.exif_transpose) and copied into a fresh
image, which carries no EXIF, GPS, ICC, text chunks, comments or trailing bytes, and
that is encoded: JPEG stays JPEG, WebP stays WebP, PNG and GIF become PNG.
"""

import io
import warnings
from typing import NamedTuple

from flask_babel import gettext as _
from PIL import Image, ImageOps

from ..kernel.errors import ValidationError

MAX_BYTES = 8 * 1024 * 1024
# 24 megapixels: a phone photo fits; a 50-megapixel PNG does not.
MAX_PIXELS = 24_000_000
MAX_SIDE = 12_000
THUMB_SIDE = 320
ACCEPTED = ("PNG", "JPEG", "WEBP", "GIF")
# Input format -> (output format, extension, content type).
OUTPUT = {"JPEG": ("JPEG", "jpg", "image/jpeg"), "WEBP": ("WEBP", "webp", "image/webp"),
          "PNG": ("PNG", "png", "image/png"), "GIF": ("PNG", "png", "image/png")}


class Processed(NamedTuple):
    data: bytes
    thumb: bytes
    extension: str
    content_type: str
    width: int
    height: int


def _bad():
    return ValidationError(_("Upload a PNG, JPEG, WebP or GIF image (not SVG or other files)."),
                           field="images", code="bad_image")


def read_limited(file_storage):
    """At most MAX_BYTES of the upload; one byte more means it is too big."""
    stream = getattr(file_storage, "stream", file_storage)
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("An image may be %(n)d MB at most.", n=MAX_BYTES // 2**20),
                              field="images", code="too_large")
    if not data:
        raise ValidationError(_("That image file is empty."), field="images", code="bad_image")
    return data


def _too_big():
    return ValidationError(
        _("That image has too many pixels (at most %(n)d megapixels).", n=MAX_PIXELS // 10**6),
        field="images", code="too_many_pixels")


def _decode(data):
    """The first frame, upright, as a fresh RGB or RGBA image, and the input format."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_big() from None
        except Exception:
            # Whatever the parser refuses (an SVG, a script, garbage) is a refusal.
            raise _bad() from None
        with image:
            width, height = image.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise _too_big()
            if width < 1 or height < 1 or image.format not in OUTPUT:
                raise _bad()
            found = image.format
            try:
                image.seek(0)
                image.load()
                upright = ImageOps.exif_transpose(image)
                alpha = upright.mode in ("RGBA", "LA", "PA") or (
                    upright.mode == "P" and "transparency" in upright.info)
                pixels = upright.convert("RGBA" if alpha and found != "JPEG" else "RGB")
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _too_big() from None
            except Exception:
                raise _bad() from None
    # Only the pixels: no info dict, no EXIF, no palette tricks, no trailing data.
    return Image.frombytes(pixels.mode, pixels.size, pixels.tobytes()), found


def _encode(image, fmt):
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=85)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=85)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def pixels(data):
    """The first frame of `data`, upright, as a fresh image that holds nothing but pixels
    (for a use case that sizes it itself: avatars); ValidationError if refused."""
    return _decode(data)[0]


def process(data):
    """A Processed re-encode of `data` with its thumbnail; ValidationError if refused."""
    image, found = _decode(data)
    fmt, extension, content_type = OUTPUT[found]
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return Processed(_encode(image, fmt), _encode(thumb, fmt), extension, content_type,
                     image.width, image.height)
