"""Fans' images: re-encoded, limited, refused when hostile, and served as stored."""

import io

import pytest
from helpers import make_thread, make_user
from media_factories import bomb_png, files, gif, jpeg_with_exif, png, set_points
from PIL import Image
from sqlalchemy import func, select

from community.forum.models import Post
from community.kernel.errors import ValidationError
from community.kernel.extensions import db
from community.media import processing, storage
from community.media import service as media
from community.media.models import MediaImage


def _stored(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _reply(client, thread_id, *uploads, body="Look at this"):
    data = {"body": body, "images": [(io.BytesIO(d), name) for d, name in uploads]}
    return client.post(f"/t/{thread_id}/reply", data=data, content_type="multipart/form-data")


@pytest.fixture
def fan_thread(app, media_dir):
    with app.app_context():
        fan = set_points(make_user("snapper"), 100)
        assert fan.level.number >= 3
        return make_thread(author=fan).id


def test_a_reply_with_photos_shows_them_served_as_stored(app, client, auth, fan_thread,
                                                         media_dir):
    auth.login("snapper")
    response = _reply(client, fan_thread, (png(), "cat.png"), (jpeg_with_exif(), "me.jpg"))
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert 'data-testid="media-gallery"' in page
    with app.app_context():
        images = db.session.scalars(select(MediaImage).order_by(MediaImage.position)).all()
        assert [i.content_type for i in images] == ["image/png", "image/jpeg"]
        assert all(storage.valid_name(i.name) and storage.valid_name(i.thumb_name) for i in images)
    served = client.get(f"/media/{images[0].name}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/media/{images[1].thumb_name}").mimetype == "image/jpeg"
    assert f"/media/{images[0].thumb_name}" in page
    for bad in ("../../etc/passwd", "x.png", "0" * 32 + ".png", "0" * 32 + ".svg"):
        assert client.get(f"/media/{bad}").status_code == 404


def test_exif_and_gps_are_stripped_and_orientation_applied(app, media_dir):
    with app.app_context():
        source = jpeg_with_exif(size=(40, 20), orientation=6)
        assert b"SpyCam" in source and Image.open(io.BytesIO(source)).getexif()
        found = processing.process(source)
        assert b"SpyCam" not in found.data and b"Exif" not in found.data
        image = Image.open(io.BytesIO(found.data))
        assert image.size == (20, 40)  # turned upright
        assert not image.getexif() and "exif" not in image.info
        assert (found.width, found.height) == (20, 40)
        thumb = Image.open(io.BytesIO(found.thumb))
        assert max(thumb.size) <= processing.THUMB_SIDE and not thumb.getexif()


@pytest.mark.parametrize("name, data, code", [
    ("bomb.png", bomb_png(), "too_many_pixels"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "bad_image"),
    ("fake.png", b"<script>alert(1)</script>" * 10, "bad_image"),
    ("big.png", None, "too_many_pixels"),  # 50 megapixels, built below
])
def test_hostile_images_are_refused_and_nothing_is_written(app, client, auth, fan_thread,
                                                           media_dir, name, data, code):
    if data is None:
        data = png(size=(10_000, 5_000), mode="L", color=0)
    with app.app_context():
        with pytest.raises(ValidationError) as refused:
            processing.process(data)
        assert refused.value.code == code
    auth.login("snapper")
    response = _reply(client, fan_thread, (png(), "fine.png"), (data, name), body="Hostile")
    assert response.status_code == 422
    assert refused.value.message in response.get_data(as_text=True)
    assert _stored(media_dir) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MediaImage)) == 0
        assert db.session.scalar(select(func.count()).where(Post.body == "Hostile")) == 0


@pytest.mark.parametrize("clean, trailer", [
    (png(), b"PK\x03\x04<script>alert(document.domain)</script>"),
    (gif(), b"\n;alert(document.domain)//"),
])
def test_polyglots_are_stored_as_a_clean_re_encode(app, client, auth, fan_thread, media_dir,
                                                   clean, trailer):
    auth.login("snapper")
    assert _reply(client, fan_thread, (clean + trailer, "poly.gif")).status_code == 302
    with app.app_context():
        image = db.session.scalars(select(MediaImage)).one()
        stored = (media_dir / image.name).read_bytes()
        assert stored == processing.process(clean).data
        assert b"alert" not in stored and b"script" not in stored
        assert image.content_type == "image/png"


def test_a_file_name_is_never_used(app, client, auth, fan_thread, media_dir, tmp_path):
    auth.login("snapper")
    assert _reply(client, fan_thread, (png(), "../../x.png")).status_code == 302
    assert not (tmp_path / "x.png").exists() and not (media_dir.parent.parent / "x.png").exists()
    names = _stored(media_dir)
    assert len(names) == 2 and all(storage.valid_name(n) for n in names)


def test_limits_by_level_and_for_staff(app, media_dir):
    with app.app_context():
        newcomer, fan = make_user("newbie"), set_points(make_user("fan2"), 20)
        regular, staff = set_points(make_user("regular"), 60), make_user("boss", role="staff")
        assert [media.allowance(u) for u in (newcomer, fan, regular, staff)] == [
            0, 3, media.MAX_PER_ITEM, media.MAX_PER_ITEM]
        with pytest.raises(ValidationError) as refused:
            media.prepare(files((png(), "a.png")), newcomer)
        assert refused.value.code == "images_not_allowed"
        assert len(media.prepare(files(*[(png(), "a.png")] * 3), fan)) == 3
        with pytest.raises(ValidationError) as refused:
            media.prepare(files(*[(png(), "a.png")] * 4), fan)
        assert refused.value.code == "too_many_images"
        assert len(media.prepare(files(*[(png(), "a.png")] * 9), staff)) == 9
        with pytest.raises(ValidationError):
            media.prepare(files(*[(png(), "a.png")] * 10), staff)
        assert media.allowance(newcomer, floor=6) == 6  # a verified buyer's review
        app.config["MEDIA_IMAGES_BY_LEVEL"] = {"1": 1}
        assert media.allowance(newcomer) == 1
        with pytest.raises(ValidationError) as refused:
            media.prepare(files((b"\0" * (processing.MAX_BYTES + 1), "a.png")), staff)
        assert refused.value.code == "too_large"
    assert _stored(media_dir) == []


def test_a_newcomer_reply_with_an_image_is_refused_with_a_reason(app, client, auth, media_dir):
    with app.app_context():
        thread = make_thread(author=make_user("newbie")).id
    auth.login("newbie")
    response = _reply(client, thread, (png(), "a.png"), body="Mine")
    assert response.status_code == 422
    assert "does not allow attaching images" in response.get_data(as_text=True)
    assert _stored(media_dir) == []
