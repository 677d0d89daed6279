"""Product images with FANFORGE_MEDIA_STORAGE=database: stored by one web host, served by
another on the same database (no shared disk), and gone from both once removed."""

import io

import pytest
from catalog_factories import image_bytes, make_product
from helpers import build_app, make_user
from sqlalchemy import func, select

from community.kernel.extensions import db
from community.media.models import MediaBlob
from products.catalog import images


@pytest.fixture
def hosts(app, tmp_path):
    other = build_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    for host, name in ((app, "a"), (other, "b")):
        host.config.update(MEDIA_STORAGE="database", UPLOAD_DIR=str(tmp_path / name))
    yield app, other
    with other.app_context():
        db.engine.dispose()


def _blobs(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(MediaBlob))


def test_product_images_are_shared_and_removed_everywhere(hosts):
    a, b = hosts
    data = image_bytes("JPEG")
    with a.app_context():
        staff = make_user("boss", role="staff")
        product = make_product()
        image = images.save_image(product, io.BytesIO(data), staff)
        served = b.test_client().get(f"/uploads/{image.filename}")
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        assert served.data == data and _blobs(a) == 1
        images.remove_image(product, image.id, staff)
        assert b.test_client().get(f"/uploads/{image.filename}").status_code == 404
        assert _blobs(a) == 0
