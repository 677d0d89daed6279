import io
import os

import pytest
from catalog_factories import image_bytes, make_product, multipart
from helpers import make_user

from community.kernel.errors import Conflict, Forbidden, ValidationError
from community.kernel.extensions import db
from products.catalog import catalog, images
from products.catalog.models import ProductImage

pytestmark = pytest.mark.one_database


@pytest.fixture
def uploads(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.fixture
def product_slug(app, uploads):
    with app.app_context():
        make_user("boss", role="staff")
        make_user("fan")
        return make_product().slug


@pytest.mark.parametrize(("fmt", "content_type", "ext"),
                         [("PNG", "image/png", "png"), ("JPEG", "image/jpeg", "jpg"),
                          ("WEBP", "image/webp", "webp")])
def test_real_images_are_stored_and_served_with_their_type(app, client, auth, product_slug,
                                                           uploads, fmt, content_type, ext):
    auth.login("boss")
    data = image_bytes(fmt)
    # The name lies on purpose: the content decides the type.
    response = client.post(f"/staff/products/{product_slug}/images",
                           data={"image": (io.BytesIO(data), "photo.gif")})
    assert response.status_code == 302
    with app.app_context():
        image = catalog.images_of(catalog.get_product(product_slug).id)[0]
        assert (image.content_type, image.size) == (content_type, len(data))
        assert image.filename.endswith("." + ext) and "photo" not in image.filename
    assert (uploads / image.filename).read_bytes() == data
    auth.logout()
    served = client.get(f"/uploads/{image.filename}")
    assert served.status_code == 200 and served.data == data
    assert served.headers["Content-Type"] == content_type
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in served.headers["Cache-Control"]
    assert "max-age=31536000" in served.headers["Cache-Control"]
    page = client.get(f"/products/{product_slug}").get_data(as_text=True)
    assert f"/uploads/{image.filename}" in page
    served.close()


def test_a_text_file_named_png_is_refused(app, client, auth, product_slug, uploads):
    auth.login("boss")
    response = client.post(f"/staff/products/{product_slug}/images",
                           data={"image": (io.BytesIO(b"just some text\n" * 10), "x.png")})
    assert response.status_code == 422
    assert "Upload a PNG, JPEG or WebP image." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ProductImage.id))) == 0
    assert not uploads.exists() or os.listdir(uploads) == []


@pytest.mark.parametrize("payload", [
    b"GIF89a" + b"\0" * 100,  # a real format, but not one we take
    image_bytes("PNG")[:40],  # truncated
    b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
])
def test_other_content_is_refused_by_the_service(ctx, uploads, payload):
    product = make_product()
    with pytest.raises(ValidationError) as caught:
        images.save_image(product, io.BytesIO(payload), make_user(role="staff"))
    assert caught.value.code == "bad_image"


def test_five_megabytes_and_one_byte_is_refused(ctx, uploads):
    product, staff = make_product(), make_user(role="staff")
    big = image_bytes("PNG") + b"\0" * (images.MAX_BYTES + 1)
    with pytest.raises(ValidationError) as caught:
        images.save_image(product, io.BytesIO(big), staff)
    assert caught.value.code == "too_large"
    # A PNG padded to exactly 5 MB is still an image.
    exact = image_bytes("PNG")
    exact += b"\0" * (images.MAX_BYTES - len(exact))
    assert images.save_image(product, io.BytesIO(exact), staff).size == images.MAX_BYTES


def test_five_megabytes_and_one_byte_through_the_page(app, client, auth, product_slug):
    auth.login("boss")
    big = image_bytes("PNG") + b"\0" * (images.MAX_BYTES + 1 - len(image_bytes("PNG")))
    assert len(big) == images.MAX_BYTES + 1
    response = client.post(f"/staff/products/{product_slug}/images",
                           **multipart("image", "big.png", big))
    assert response.status_code == 422
    assert "5 MB at most" in response.get_data(as_text=True)
    # Far bigger bodies are cut off before they are read.
    huge = client.post(f"/staff/products/{product_slug}/images",
                       **multipart("image", "huge.png", b"\0" * (images.MAX_BYTES * 2)))
    assert huge.status_code == 413


def test_staff_remove_images_and_their_files(app, ctx, uploads):
    product, staff = make_product(), make_user(role="staff")
    image = images.save_image(product, io.BytesIO(image_bytes()), staff)
    assert (uploads / image.filename).exists()
    with pytest.raises(Forbidden):
        images.remove_image(product, image.id, make_user())
    images.remove_image(product, image.id, staff)
    assert not (uploads / image.filename).exists()
    assert catalog.images_of(product.id) == []


def test_a_product_has_a_dozen_images_at_most(ctx, uploads):
    product, staff = make_product(), make_user(role="staff")
    for _ in range(images.MAX_IMAGES):
        images.save_image(product, io.BytesIO(image_bytes()), staff)
    with pytest.raises(Conflict):
        images.save_image(product, io.BytesIO(image_bytes()), staff)
    assert len(os.listdir(uploads)) == images.MAX_IMAGES  # the refused file was removed
    assert [i.position for i in catalog.images_of(product.id)] == list(range(1, 13))


def test_fans_cannot_upload(ctx, uploads):
    with pytest.raises(Forbidden):
        images.save_image(make_product(), io.BytesIO(image_bytes()), make_user())


@pytest.mark.parametrize("path", [
    "/uploads/../app.py", "/uploads/..%2Fapp.py", "/uploads/%2e%2e%2fapp.py",
    "/uploads/..%5Capp.py", "/uploads/.%2F..%2F..%2Fetc%2Fpasswd", "/uploads/%2Fetc%2Fpasswd",
    "/uploads/" + "0" * 32 + ".png", "/uploads/" + "0" * 32 + ".PNG", "/uploads/x.png",
])
def test_uploads_answer_only_for_stored_names(app, client, uploads, path):
    uploads.mkdir(parents=True, exist_ok=True)
    (uploads / ("0" * 32 + ".png")).write_bytes(image_bytes())  # on disk but not in the database
    response = client.get(path)
    assert response.status_code == 404
    assert b"root:" not in response.data and b"create_app" not in response.data
