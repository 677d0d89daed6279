"""Attack 6: an idea staff removed (its thread hidden, through a report) must not go on
being listed, by title and author, on the product page it grew into (nor in the API)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "products" / "catalog"))

from catalog_factories import make_idea  # noqa: E402
from helpers import make_board, make_user  # noqa: E402

from community.reports import service as reports  # noqa: E402
from products.catalog import promotion  # noqa: E402

pytestmark = pytest.mark.one_database


def test_a_removed_idea_leaves_the_product_page(app, client):
    with app.app_context():
        board = make_board("band", "Band")
        staff, author = make_user("boss", role="staff"), make_user("lilei")
        kept = make_idea(board, author, "Two-week battery", votes=5)
        removed = make_idea(board, author, "Spamvertised gadget", votes=3)
        product = promotion.promote(staff, [kept.id, removed.id], "Band 9 Pro", "band-9-pro",
                                    "The band.", "Made with you.")
        slug, removed_id = product.slug, removed.id
    before = client.get(f"/products/{slug}").get_data(as_text=True)
    assert "Spamvertised gadget" in before
    with app.app_context():
        reports.report("idea", removed_id, make_user("reporter"), "spam")
        reports.resolve("idea", removed_id, make_user("mod", role="staff"), "removed", "spam")
    assert client.get(f"/ideas/{removed_id}").status_code == 404
    page = client.get(f"/products/{slug}").get_data(as_text=True)
    ideas = page.split('data-testid="origin-ideas"')[1].split("</section>")[0]
    assert "Two-week battery" in ideas
    assert "Spamvertised gadget" not in ideas
    listed = client.get(f"/api/v1/products/{slug}").get_json()["origin_ideas"]
    assert [idea["id"] for idea in listed] != [] and removed_id not in [i["id"] for i in listed]
