"""`flask demo load`: the demo's co-creators earned their place (a vote for an origin idea
or proposing one), so they qualify and hold their F-codes for the live campaign."""

from sqlalchemy import select

from community.kernel.extensions import db
from products.campaigns.models import Campaign, FCode
from products.catalog import catalog, cocreation
from products.catalog.models import CoCreator


def test_the_demo_cocreators_qualify_and_hold_f_codes(sqlite_app):
    result = sqlite_app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with sqlite_app.app_context():
        band = catalog.get_product("forge-band-9")
        cocreators = set(db.session.scalars(
            select(CoCreator.user_id).where(CoCreator.product_id == band.id)))
        assert len(cocreators) == 6  # two proposers and four fans who joined
        assert cocreation.qualifying(band.id) == cocreators
        live = db.session.scalar(select(Campaign).where(Campaign.product_id == band.id,
                                                        Campaign.state == "live"))
        holders = set(db.session.scalars(select(FCode.user_id).where(FCode.campaign_id == live.id)))
        assert holders == cocreators
