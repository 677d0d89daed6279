"""Demo: a product card shared into the demo fans' conversation, after the store's demo."""

from sqlalchemy import select

from community.kernel.extensions import db
from community.messages import sending
from community.messages import service as messages
from products.campaigns.models import Campaign
from products.campaigns.service import OPEN


def load(users):
    """Demo: meimei shares the live campaign's product into her conversation with lilei."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.state.in_(OPEN))
                                 .order_by(Campaign.id).limit(1))
    if campaign is None or "lilei" not in users or "meimei" not in users:
        return
    conversation, _created = messages.start(users["meimei"], ["lilei"])
    sending.send(conversation.id, users["meimei"], "这个一起买吗？Shall we back this one?",
                 ("product", campaign.product_id))
