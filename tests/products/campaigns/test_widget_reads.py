"""The campaign widget of a rendered page draws from the campaign its view loaded: the
campaign and its tiers are read once per page, not again for the hole."""

import pytest
from helpers import make_campaign
from querycount import counting

from community.web.pagecache import serving, stores


@pytest.fixture
def rendering_app(app):
    app.extensions[serving.EXTENSION] = stores.NoPages()  # every request renders
    return app


def test_a_product_page_reads_its_campaign_once(rendering_app):
    app = rendering_app
    with app.app_context():
        slug = make_campaign().product.slug
    client = app.test_client()
    client.get(f"/products/{slug}")
    with counting() as statements:
        page = client.get(f"/products/{slug}")
    assert page.status_code == 200 and b'data-testid="campaign-widget"' in page.data
    assert sum(1 for s in statements if s.lstrip().startswith("SELECT campaigns.id, "
                                                              "campaigns.product_id")) == 1
    assert sum(1 for s in statements if "FROM tiers" in s) == 1
