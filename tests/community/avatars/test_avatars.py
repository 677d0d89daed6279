"""Avatars: an upload re-encoded, cropped and sized by Pillow; a default for everyone else;
shown beside names with a URL that changes with the picture."""

import io
import re
from datetime import timedelta

import pytest
from flask import url_for
from helpers import PASSWORD, make_board, make_thread, make_user
from markupsafe import Markup
from PIL import Image

from community.accounts import service as accounts
from community.accounts.models import User
from community.avatars import drawing, service
from community.avatars.templating import avatar
from community.datarights import closure
from community.kernel.database import utcnow
from community.kernel.extensions import db
from community.media import storage


@pytest.fixture
def fan(app, client, auth):
    # The files in the database (every host serves them), not in the instance folder.
    app.config["MEDIA_STORAGE"] = "database"
    app.extensions.pop("media_storage", None)
    with app.app_context():
        user = make_user("mei")
        thread = make_thread(board=make_board(slug="lounge"), author=user, title="Hello all")
        ids = user.id, thread.id
    auth.login("mei")
    return ids


def _photo(size=(300, 200), fmt="JPEG"):
    """A wide photo with EXIF (a camera's name) that must not survive."""
    image = Image.new("RGB", size, (250, 250, 250))
    image.paste((200, 0, 0), (100, 0, 200, 200))  # a red middle third
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    out = io.BytesIO()
    image.save(out, fmt, exif=exif) if fmt == "JPEG" else image.save(out, fmt)
    return out.getvalue()


def _upload(client, data, name="me.jpg"):
    return client.post("/settings/avatar", data={"avatar": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _avatar_sources(page):
    return re.findall(r'<img class="avatar" src="([^"]+)"', page)


def test_an_uploaded_avatar_is_sized_square_and_shown_beside_the_name(app, client, fan):
    user_id, thread_id = fan
    before = _avatar_sources(client.get(f"/t/{thread_id}").get_data(as_text=True))
    assert before and before[0].startswith(f"/avatars/default/{user_id}/")
    response = _upload(client, _photo())
    assert response.status_code == 303
    with app.app_context():
        token = accounts.get_by_username("mei").avatar
    assert token
    for size in drawing.SIZES:
        served = client.get(f"/avatars/{user_id}/{token}-{size}.png")
        assert served.status_code == 200 and served.mimetype == "image/png"
        assert "immutable" in served.headers["Cache-Control"]
        image = Image.open(io.BytesIO(served.data))
        assert image.format == "PNG" and image.size == (size, size)
        assert "exif" not in image.info and b"SpyCam" not in served.data
        # Cropped around the centre: the red middle third fills it.
        assert image.convert("RGB").getpixel((size // 2, size // 2)) == (200, 0, 0)
    page = client.get(f"/t/{thread_id}").get_data(as_text=True)
    assert f"/avatars/{user_id}/{token}-48.png" in page and 'alt=""' in page
    profile = client.get("/u/mei").get_data(as_text=True)
    assert f"/avatars/{user_id}/{token}-96.png" in profile
    assert f"/avatars/{user_id}/{token}-32.png" in client.get("/b/lounge").get_data(as_text=True)

    # A new picture, a new URL; the old one is gone.
    _upload(client, _photo(fmt="PNG"), "new.png")
    with app.app_context():
        new = accounts.get_by_username("mei").avatar
    assert new != token
    assert client.get(f"/avatars/{user_id}/{token}-96.png").status_code == 404
    assert f"/avatars/{user_id}/{new}-48.png" in client.get(f"/t/{thread_id}").get_data(as_text=True)

    # Removed: the default again.
    client.post("/settings/avatar/remove")
    with app.app_context():
        assert accounts.get_by_username("mei").avatar is None
    assert client.get(f"/avatars/{user_id}/{new}-96.png").status_code == 404


@pytest.mark.parametrize("data, name", [
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.svg"),
    (b"not an image at all", "x.png"),
    (b"", "empty.png"),
])
def test_a_refused_upload_says_why_and_changes_nothing(app, client, fan, data, name):
    response = _upload(client, data, name)
    assert response.status_code == 303
    settings = client.get("/settings").get_data(as_text=True)
    assert 'data-testid="avatar-settings"' in settings
    assert "image" in settings.lower()
    with app.app_context():
        assert accounts.get_by_username("mei").avatar is None


def test_defaults_are_deterministic_and_readable(app, client, fan):
    user_id, _thread = fan
    code = format(ord("M"), "x")
    first = client.get(f"/avatars/default/{user_id}/{code}.svg")
    assert first.status_code == 200 and first.mimetype == "image/svg+xml"
    assert first.data == client.get(f"/avatars/default/{user_id}/{code}.svg").data
    assert drawing.colour_for(user_id).encode() in first.data and b">M<" in first.data
    assert "default-src 'none'" in first.headers["Content-Security-Policy"]
    # Chinese names show their first character.
    assert drawing.initial_of("小米粉") == "小" and drawing.initial_of("lei") == "L"
    # A name's first character is text in the picture, never markup.
    assert b"&lt;" in client.get(f"/avatars/default/{user_id}/3c.svg").data
    for bad in ("zz", "20", "0", "1234567"):  # not hex, a space, a control, too long
        assert client.get(f"/avatars/default/{user_id}/{bad}.svg").status_code == 404
    assert client.get(f"/avatars/{user_id}/{'0' * 32}-96.png").status_code == 404
    assert client.get(f"/avatars/{user_id}/{'0' * 32}-64.png").status_code == 404


def _luminance(hex_colour):
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.one_database
def test_every_default_colour_carries_white_text_at_wcag_aa():
    white = _luminance(drawing.TEXT)
    for colour in drawing.PALETTE:
        ratio = (white + 0.05) / (_luminance(colour) + 0.05)
        assert ratio >= 4.5, (colour, ratio)
    assert len({drawing.colour_for(n) for n in range(1, 200)}) == len(drawing.PALETTE)


def test_a_closed_account_loses_its_avatar_and_its_files(app, client, fan):
    user_id, _thread = fan
    _upload(client, _photo())
    with app.app_context():
        user = accounts.get_by_username("mei")
        token = user.avatar
        closure.request_closure(user, PASSWORD)
        assert closure.close_account(user_id, utcnow() + timedelta(days=30))
        assert storage.backend().get(service.file_name(token, 96)) is None
    assert client.get(f"/avatars/{user_id}/{token}-96.png").status_code == 404
    with app.app_context():
        assert db.session.get(User, user_id).avatar is None


@pytest.mark.parametrize("root", ["", "/fans"])
def test_avatar_tags_are_the_urls_url_for_builds(app, root):
    """templating.avatar fills URLs built once per request: the same <img> as building
    each with url_for."""
    def expected(user, size, alt=""):
        def source(px):
            if user.avatar:
                return url_for("avatars.uploaded", user_id=user.id, token=user.avatar, size=px)
            return url_for("avatars.default", user_id=user.id,
                           code=format(ord(drawing.initial_of(user.username)), "x"))
        drawn = min((s for s in drawing.SIZES if s >= size), default=drawing.SIZES[0])
        sharp = min((s for s in drawing.SIZES if s >= 2 * size), default=drawing.SIZES[0])
        srcset = "" if sharp == drawn or not user.avatar else \
            Markup(' srcset="%s 1x, %s 2x"') % (source(drawn), source(sharp))
        return Markup('<img class="avatar" src="%s"%s width="%d" height="%d" alt="%s" '
                      'loading="lazy" decoding="async">') % (source(drawn), srcset, size,
                                                              size, alt)

    # avatar() remembers its tags per process: the other root's, drawn first, and a
    # second drawing (from the memo) are this root's too.
    for base in (f"http://localhost{'/fans' if not root else ''}", f"http://localhost{root}"):
        with app.test_request_context("/", base_url=base):
            for name, token in (("mei", None), ("李雷", None), ("<b>", None),
                                ("ann", "0f" * 16), ("bo", "a&b'c")):
                for user_id in (7, 8):
                    user = User(id=user_id, username=name, avatar=token)
                    for size, alt in ((48, ""), (32, 'a "fan" & <co>'), (20, ""), (96, "x"),
                                      (48, Markup("<i>x</i>"))):
                        for _ in range(2):
                            assert avatar(user, size, alt) == expected(user, size, alt)
