"""Images for the media tests, built with Pillow."""

import io
import struct
import zlib

from helpers import AuthActions, make_thread, make_user
from PIL import Image
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage

from community.accounts.models import User
from community.kernel.database import transaction
from community.kernel.extensions import db
from community.media.models import MediaImage


def png(size=(8, 6), color=(200, 30, 30), mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, "PNG")
    return out.getvalue()


def gif(size=(4, 4)):
    out = io.BytesIO()
    Image.new("P", size, 3).save(out, "GIF")
    return out.getvalue()


def jpeg_with_exif(size=(40, 20), orientation=6):
    """A JPEG whose EXIF says: rotate 90°, taken by SpyCam at a GPS position."""
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SpyCam"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (39.0, 54.0, 27.0)
    gps[3], gps[4] = "E", (116.0, 23.0, 31.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def bomb_png(width=100_000, height=100_000):
    """A tiny PNG whose header claims width x height pixels."""
    data = bytearray(png((1, 1)))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4:ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr:ihdr + 17])) & 0xFFFFFFFF
    data[ihdr + 17:ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


def set_points(user, points):
    with transaction():
        db.session.execute(update(User).where(User.id == user.id).values(points=points))
    return db.session.get(User, user.id, populate_existing=True)


def files(*pairs):
    """Werkzeug-style uploads: [(bytes, name), ...]."""
    return [FileStorage(io.BytesIO(data), filename=name) for data, name in pairs]


def reply_with_a_photo(app, username="snapper"):
    """A level-3 fan replies with one PNG through `app`'s reply form; the image's row."""
    with app.app_context():
        fan = set_points(make_user(username), 100)
        thread_id = make_thread(author=fan).id
    client = app.test_client()
    AuthActions(client).login(username)
    response = client.post(f"/t/{thread_id}/reply", content_type="multipart/form-data",
                           data={"body": "Look", "images": [(io.BytesIO(png()), "cat.png")]})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with app.app_context():
        return db.session.scalars(select(MediaImage)).one()
