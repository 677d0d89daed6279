"""A buyer with a delivered order, set up through the services."""

from helpers import make_campaign, make_user
from sqlalchemy import update

from community.kernel.database import transaction
from community.kernel.extensions import db
from products.fulfilment import service as fulfilment
from products.orders import service as orders
from products.orders.models import Order


def place(campaign, buyer, key, deliver=True, staff=None):
    order, _ = orders.place_order(campaign.id, buyer, campaign.tiers[0].id, 1, key)
    with transaction():
        db.session.execute(update(Order).where(Order.id == order.id).values(state="confirmed"))
    if deliver:
        fulfilment.ship(order.id, staff, "SF", f"SF{order.id:06d}")
        fulfilment.deliver(order.id, staff)
    return order.id


def shop():
    """A product, its campaign, a staff member, and a buyer with a delivered order."""
    staff = make_user("boss", role="staff")
    campaign = make_campaign(staff=staff)
    buyer = make_user("buyer")
    order_id = place(campaign, buyer, "k1", staff=staff)
    return {"staff": staff, "campaign": campaign, "product": campaign.product, "buyer": buyer,
            "order": order_id}
