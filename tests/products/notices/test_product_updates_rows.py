"""The product page's updates (service.product_updates) are read as rows by a statement
built once per kind of reader: each reader gets exactly what updates_of gives them (the
one rule of who reads a backers-only update), on both databases."""

from flask_login import AnonymousUserMixin
from helpers import make_campaign, make_user
from sqlalchemy import update

from community.kernel.extensions import db
from products.campaigns.models import CampaignBuyer
from products.notices import service as notices
from products.orders import service as orders


def _shown(updates):
    return [(u.id, u.title, u.audience, u.body_html, u.thread_id, u.created_at,
             u.author.username) for u in updates]


def test_each_reader_gets_the_updates_updates_of_gives_them(ctx):
    staff = make_user("boss", role="staff")
    campaign = make_campaign(staff=staff)
    other = make_campaign(staff=staff, product=campaign.product, publish=False)  # a draft
    backer, former, stranger = make_user("backer"), make_user("former"), make_user("stranger")
    for user in (backer, former):
        orders.place_order(campaign.id, user, campaign.tiers[0].id, 1, f"k-{user.id}")
    db.session.execute(update(CampaignBuyer).where(CampaignBuyer.user_id == former.id)
                       .values(units=0))  # gave their units back
    db.session.commit()
    notices.post_update(campaign.id, staff, "Public news", "For all")
    notices.post_update(campaign.id, staff, "Secret sauce", "Backers only", audience="backers")
    notices.post_update(other.id, staff, "Other secret", "Theirs", audience="backers")
    product_id = campaign.product_id
    seen = {}
    for name, reader in (("visitor", AnonymousUserMixin()), ("nobody", None),
                         ("backer", backer), ("former", former), ("stranger", stranger),
                         ("staff", staff)):
        expected = _shown(notices.updates_of(reader, product_id=product_id))
        assert _shown(notices.product_updates(reader, product_id)) == expected, name
        seen[name] = [title for _id, title, *_rest in expected]
    assert seen["visitor"] == seen["nobody"] == seen["stranger"] == seen["former"] == [
        "Public news"]
    assert seen["backer"] == ["Secret sauce", "Public news"]
    assert seen["staff"] == ["Other secret", "Secret sauce", "Public news"]
    assert len(notices.product_updates(staff, product_id, limit=2)) == 2
