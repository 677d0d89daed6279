"""FANFORGE_MEDIA_STORAGE=s3: uploads in an S3-compatible bucket, tested over real HTTP
against moto's server (an S3 look-alike on 127.0.0.1), signed by boto3 as against AWS,
MinIO or OSS. The bucket is the subject here, not the database: one database."""

import urllib.request

import pytest
from helpers import make_user
from media_factories import png, reply_with_a_photo

from community.kernel.extensions import db
from community.media import s3, storage
from community.media.models import MediaImage

pytestmark = pytest.mark.one_database
# The S3 look-alike's fixtures: endpoint, bucket, s3_app, public_s3_app.
pytest_plugins = ["s3_world"]


def _keys(app):
    with app.app_context():
        client = s3.client_for(app.config)
        listed = client.list_objects_v2(Bucket=app.config["MEDIA_S3_BUCKET"])
    return sorted(item["Key"] for item in listed.get("Contents", ()))


def test_save_read_delete_and_a_missing_key_like_the_other_backends(s3_app):
    with s3_app.app_context():
        media, uploads = storage.backend(), storage.backend("uploads")
        assert isinstance(media, s3.S3Storage)
        name = storage.new_name("png")
        media.put(name, b"\x89PNG bytes", "image/png")
        assert media.get(name) == b"\x89PNG bytes"
        assert uploads.get(name) is None  # each area is a key prefix of its own
        assert media.public_url(name) is None
        with pytest.raises(ValueError):
            media.put("../escape.png", b"x", "image/png")
        with pytest.raises(ValueError):
            media.get("../../x.png")
        assert _keys(s3_app) == [f"media/{name}"]
        media.delete(name)
        media.delete(name)  # missing is fine
        assert media.get(name) is None
        assert media.get(storage.new_name("jpg")) is None  # never stored: None, no error
    assert _keys(s3_app) == []


def test_a_fans_photo_goes_to_the_bucket_and_is_served_from_it(s3_app, tmp_path):
    image = reply_with_a_photo(s3_app)
    assert _keys(s3_app) == sorted([f"media/{image.name}", f"media/{image.thumb_name}"])
    served = s3_app.test_client().get(f"/media/{image.name}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert s3_app.test_client().get(f"/media/{storage.new_name('png')}").status_code == 404
    assert not (tmp_path / "media").exists()  # nothing on the host's disk


def test_with_a_public_url_images_are_read_from_the_bucket(public_s3_app, endpoint, bucket):
    s3_app = public_s3_app
    with s3_app.app_context():
        name = storage.new_name("png")
        storage.backend().put(name, png(), "image/png")
        db.session.add(MediaImage(owner_kind="post", owner_id=1, uploader_id=make_user("uploader").id,
                                  position=1, name=name, thumb_name=storage.new_name("png"),
                                  content_type="image/png", size=1, width=1, height=1))
        db.session.commit()
    response = s3_app.test_client().get(f"/media/{name}")
    assert response.status_code == 302
    assert response.location == f"{endpoint}/{bucket}/media/{name}"
    with urllib.request.urlopen(response.location, timeout=10) as found:  # noqa: S310 (test server)
        assert found.read() == png() and found.headers["Content-Type"] == "image/png"
    # A name nobody stored is still a 404 from the app, not a redirect.
    assert s3_app.test_client().get(f"/media/{storage.new_name('png')}").status_code == 404


def test_a_missing_bucket_setting_is_named_at_first_use(sqlite_app):
    sqlite_app.config.update(MEDIA_STORAGE="s3", MEDIA_S3_BUCKET="")
    sqlite_app.extensions.pop("media_storage", None)
    with sqlite_app.app_context(), pytest.raises(RuntimeError, match="FANFORGE_MEDIA_S3_BUCKET"):
        storage.backend()
