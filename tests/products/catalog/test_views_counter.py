import pytest
from catalog_factories import make_product, statements
from helpers import PASSWORD, make_user
from sqlalchemy import update

from community.kernel.extensions import db
from products.catalog import catalog, views_counter
from products.catalog.models import Product


def _product_updates(seen):
    return [s for s in seen if s.lstrip().upper().startswith("UPDATE PRODUCTS")]


@pytest.fixture
def slugs(app):
    with app.app_context():
        return make_product().slug, make_product().slug


def test_page_views_are_written_in_one_batch(app, client, runner, slugs):
    first, second = slugs
    with statements() as seen:
        for _ in range(7):
            assert client.get(f"/products/{first}").status_code == 200
        for _ in range(2):
            client.get(f"/products/{second}")
    assert _product_updates(seen) == []  # no write per page view
    client.get(f"/products/{second}")
    with statements() as seen:
        result = runner.invoke(args=["products", "flush-views"])
    assert result.exit_code == 0 and "10 product views written" in result.output
    assert len(_product_updates(seen)) == 2  # one UPDATE per product, whatever the views
    with app.app_context():
        assert catalog.get_product(first).view_count == 7
        assert catalog.get_product(second).view_count == 3
    with statements() as seen:
        runner.invoke(args=["products", "flush-views"])
    assert _product_updates(seen) == []  # nothing pending, nothing written


def test_a_full_buffer_is_flushed_at_the_end_of_a_request(app, client, slugs):
    slug = slugs[0]
    views = views_counter.counter(app)
    views.flush_at = 5
    with statements() as seen:
        for _ in range(12):
            client.get(f"/products/{slug}")
    assert len(_product_updates(seen)) == 2  # after the 5th and the 10th view
    assert views.pending() == 2
    with app.app_context():
        assert catalog.get_product(slug).view_count == 10


def test_an_old_buffer_is_flushed_when_its_time_comes(app, client, slugs):
    slug = slugs[0]
    clock = [100.0]
    views = views_counter.counter(app)
    views.clock = lambda: clock[0]
    views.flush(None)  # empty: resets the timer, touches nothing
    client.get(f"/products/{slug}")
    assert views.pending() == 1
    clock[0] += views.flush_seconds
    client.get(f"/products/{slug}")
    assert views.pending() == 0
    with app.app_context():
        assert catalog.get_product(slug).view_count == 2


def test_a_failed_flush_keeps_the_views(ctx):
    product = make_product()
    views = views_counter.ViewCounter(flush_seconds=10, flush_at=100)
    views.record(product.id, 4)

    class Broken:
        def begin(self):
            raise RuntimeError("database away")

    with pytest.raises(RuntimeError):
        views.flush(Broken())
    assert views.pending(product.id) == 4
    assert views.flush(db.engine) == 4
    db.session.rollback()  # end the read snapshot taken before the flush
    assert db.session.get(Product, product.id, populate_existing=True).view_count == 4


def test_the_page_shows_stored_and_buffered_views(app, client, slugs):
    slug = slugs[0]
    with app.app_context():
        db.session.execute(update(Product).where(Product.slug == slug).values(view_count=40))
        db.session.commit()
        fan = make_user().username
    # Signed in: the fans' shared copy fills the count in per response (a visitor's copy
    # may be up to a minute behind; tests/community/web/pagecache/test_pagecache.py checks its views
    # are still counted).
    client.post("/login", data={"login": fan, "password": PASSWORD})
    client.get(f"/products/{slug}")
    page = client.get(f"/products/{slug}")
    assert page.headers.get("X-Page-Cache") == "hit"
    assert "42 views" in page.get_data(as_text=True)
