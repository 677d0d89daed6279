"""Product images with FANFORGE_MEDIA_STORAGE=database: stored by one web host, served by
another on the same database (no shared disk), and gone from both once removed."""

import io

from catalog_factories import image_bytes, make_product
from helpers import make_user, stored_blobs

from products.catalog import images


def test_product_images_are_shared_and_removed_everywhere(storage_hosts):
    a, b = storage_hosts
    data = image_bytes("JPEG")
    with a.app_context():
        staff = make_user("boss", role="staff")
        product = make_product()
        image = images.save_image(product, io.BytesIO(data), staff)
        served = b.test_client().get(f"/uploads/{image.filename}")
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        assert served.data == data and stored_blobs(a) == 1
        images.remove_image(product, image.id, staff)
        assert b.test_client().get(f"/uploads/{image.filename}").status_code == 404
        assert stored_blobs(a) == 0
