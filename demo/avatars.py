"""Demo avatars: two fans uploaded a picture (drawn here with Pillow, as a phone photo would
be uploaded); everyone else shows the generated default with their initial."""

import io

from PIL import Image, ImageDraw
from werkzeug.datastructures import FileStorage

from community.avatars import service as avatars

# name -> (background, shape colour): a round "face" on a plain ground, not square.
PICTURES = {"lilei": ((255, 214, 170), (255, 105, 0)), "meimei": ((200, 230, 255), (30, 90, 200))}


def _picture(ground, shape):
    image = Image.new("RGB", (320, 240), ground)
    draw = ImageDraw.Draw(image)
    draw.ellipse((100, 60, 220, 180), fill=shape)
    draw.rectangle((60, 190, 260, 240), fill=shape)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    out.seek(0)
    return FileStorage(out, filename="me.jpg", content_type="image/jpeg")


def load(users):
    for name, (ground, shape) in PICTURES.items():
        if name in users:
            avatars.set_avatar(users[name], _picture(ground, shape))
