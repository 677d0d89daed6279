"""Fulfilling confirmed pre-orders: in production, shipped (carrier and tracking number),
delivered.

States move forward only: NULL -> in_production -> shipped -> delivered, and only on a
confirmed order. Each move is one conditional UPDATE whose RETURNING row decides; when no
row comes back, the order is read to say why. Marking an order shipped again with the
same carrier and tracking number changes nothing (so a file imported twice is harmless);
with another number it is refused.
"""

import re

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from community.forum.moderation import ensure_staff
from community.kernel.database import transaction, utcnow
from community.kernel.errors import Conflict, NotFound, ValidationError
from community.kernel.extensions import db

from .. import signals
from ..campaigns.models import Campaign
from ..orders import service as orders
from ..orders.models import Order

STEPS = ("in_production", "shipped", "delivered")
CARRIER_MAX, TRACKING_MAX = 40, 64
TRACKING = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{3,63}")
_SPACES = re.compile(r"\s+")
_SHIPPABLE = Order.fulfilment_status.is_(None) | (Order.fulfilment_status == "in_production")


def get_campaign(campaign_id):
    campaign = db.session.get(Campaign, campaign_id) if isinstance(campaign_id, int) else None
    if campaign is None:
        raise NotFound(_("No such campaign."))
    return campaign


def counts(campaign_id):
    """Confirmed orders of the campaign by step (None: not started yet), and how many of
    them have no address."""
    rows = db.session.execute(
        select(Order.fulfilment_status, func.count(), func.count(Order.ship_name))
        .where(Order.campaign_id == campaign_id, Order.state == "confirmed")
        .group_by(Order.fulfilment_status)).all()
    by_step = {step: 0 for step in (None, *STEPS)}
    without_address = 0
    for step, n, with_address in rows:
        by_step[step] = n
        without_address += n - with_address
    return {"waiting": by_step[None], **{s: by_step[s] for s in STEPS},
            "total": sum(by_step.values()), "without_address": without_address}


def start_production(campaign_id, actor):
    """Every confirmed order of the campaign not started yet goes into production.
    Returns how many moved (0 when run again)."""
    ensure_staff(actor)
    get_campaign(campaign_id)
    with transaction():
        moved = db.session.execute(
            update(Order).where(Order.campaign_id == campaign_id, Order.state == "confirmed",
                                Order.fulfilment_status.is_(None))
            .values(fulfilment_status="in_production", in_production_at=utcnow())
            .returning(Order.id), execution_options={"synchronize_session": False}).all()
        if moved:
            signals.production_started.send(campaign_id)
    return len(moved)


def clean_shipment(carrier, tracking_number):
    """(carrier, tracking number) trimmed and checked, or a ValidationError."""
    carrier = _SPACES.sub(" ", str(carrier or "")).strip()
    tracking = _SPACES.sub("", str(tracking_number or ""))
    if not carrier:
        raise ValidationError(_("Name the carrier."), field="carrier", code="missing_carrier")
    if len(carrier) > CARRIER_MAX:
        raise ValidationError(_("Use at most %(n)d characters.", n=CARRIER_MAX),
                              field="carrier", code="bad_carrier")
    if not tracking:
        raise ValidationError(_("Give the tracking number."), field="tracking_number",
                              code="missing_tracking_number")
    if TRACKING.fullmatch(tracking) is None:
        raise ValidationError(_("A tracking number is 4 to 64 letters, digits or hyphens."),
                              field="tracking_number", code="bad_tracking_number")
    return carrier, tracking


def _order_in(order_id, campaign_id):
    order = db.session.get(Order, order_id, populate_existing=True) \
        if isinstance(order_id, int) else None
    if order is None or (campaign_id is not None and order.campaign_id != campaign_id):
        raise NotFound(_("No such pre-order."), code="unknown_order")
    return order


def ship(order_id, actor, carrier, tracking_number, campaign_id=None):
    """Mark a confirmed order shipped. Returns (order, changed): the same carrier and
    number again is (order, False); another number once shipped is a Conflict."""
    ensure_staff(actor)
    carrier, tracking = clean_shipment(carrier, tracking_number)
    with transaction():
        _order_in(order_id, campaign_id)
        shipped = db.session.execute(
            update(Order).where(Order.id == order_id, Order.state == "confirmed", _SHIPPABLE)
            .values(fulfilment_status="shipped", shipped_at=utcnow(), carrier=carrier,
                    tracking_number=tracking)
            .returning(Order.id), execution_options={"synchronize_session": False}).first()
        order = db.session.get(Order, order_id, populate_existing=True)
        if shipped is None:
            _refuse_shipping(order, carrier, tracking)
            return order, False
        signals.order_shipped.send(order, carrier=carrier, tracking_number=tracking)
    return order, True


def _refuse_shipping(order, carrier, tracking):
    if order.state != "confirmed":
        raise Conflict(_("Only confirmed pre-orders can be shipped; this one is %(state)s.",
                         state=order.state), code="not_confirmed")
    if order.carrier == carrier and order.tracking_number == tracking:
        return  # the same shipment again: nothing to do
    raise Conflict(_("Already shipped with %(carrier)s %(number)s.", carrier=order.carrier,
                     number=order.tracking_number), code="already_shipped")


def deliver(order_id, actor, campaign_id=None):
    """Mark a shipped order delivered. Returns (order, changed); delivered again is a no-op."""
    ensure_staff(actor)
    with transaction():
        _order_in(order_id, campaign_id)
        done = db.session.execute(
            update(Order).where(Order.id == order_id, Order.state == "confirmed",
                                Order.fulfilment_status == "shipped")
            .values(fulfilment_status="delivered", delivered_at=utcnow())
            .returning(Order.id), execution_options={"synchronize_session": False}).first()
        order = db.session.get(Order, order_id, populate_existing=True)
        if done is None and order.fulfilment_status != "delivered":
            raise Conflict(_("Only a shipped pre-order can be marked delivered."),
                           code="not_shipped")
        if done is not None:
            signals.order_delivered.send(order)
    return order, done is not None


def orders_page(campaign_id, page, per_page):
    rows = db.session.scalars(
        select(Order).where(Order.campaign_id == campaign_id, Order.state == "confirmed")
        .order_by(Order.id).limit(per_page + 1).offset((page - 1) * per_page)).all()
    return rows[:per_page], len(rows) > per_page


def confirmed_orders(campaign_id, batch=500):
    """The campaign's confirmed orders in id order, read in batches (for the export)."""
    return orders.campaign_orders(campaign_id, Order.state == "confirmed", batch=batch)
