"""database.sync_loaded builds the identity key itself: it finds the session's copy of a
row by a single or a composite primary key, as identity_key() names it."""

import pytest
from helpers import make_campaign, make_user
from sqlalchemy.orm.util import identity_key

from community.accounts.models import User
from community.kernel.database import sync_loaded
from community.kernel.extensions import db
from products.campaigns.models import Campaign, CampaignBuyer


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_sync_loaded_shows_new_values_on_the_loaded_row(ctx):
    user, campaign = make_user(), make_campaign()
    db.session.add(CampaignBuyer(campaign_id=campaign.id, user_id=user.id, units=1))
    db.session.commit()
    buyer = db.session.get(CampaignBuyer, (campaign.id, user.id))
    loaded = db.session.get(User, user.id)
    for model, key, obj, name, value in (
            (CampaignBuyer, (campaign.id, user.id), buyer, "units", 4),
            (CampaignBuyer, [campaign.id, user.id], buyer, "units", 5),
            (User, user.id, loaded, "points", 77),
            (Campaign, campaign.id, db.session.get(Campaign, campaign.id), "reserved_units", 9)):
        assert db.session.identity_map.get(identity_key(model, key)) is obj
        sync_loaded(model, key, **{name: value})
        assert getattr(obj, name) == value and not db.session.dirty
    sync_loaded(User, user.id + 1000, points=1)  # not loaded: nothing to show it on
