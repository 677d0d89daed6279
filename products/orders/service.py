"""Placing and cancelling pre-orders without ever overselling.

Every limit is one conditional UPDATE whose RETURNING row decides: the buyer's
units (per-buyer limit), the campaign's reserved units (stock cap) and the
tier's (tier limit). They run in the order placing and cancelling share, so two
transactions never wait on each other in a circle.
"""

import hashlib
import json
from datetime import timedelta
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from community import cards
from community.accounts import service as accounts
from community.kernel.compiled import rows_of, write_rows
from community.kernel.database import (
    as_loaded,
    conflict_insert,
    dialect_name,
    sync_loaded,
    transaction,
    utcnow,
)
from community.kernel.errors import Conflict, Forbidden, NotFound, ValidationError
from community.kernel.extensions import db
from community.kernel.plaintext import single_line

from .. import signals
from ..campaigns.models import Campaign, CampaignBuyer, FCode, Tier
from ..catalog import choosing, cocreation
from ..catalog.models import Product
from ..catalog.options import Variant
from .models import NOTHING_OWED, SOURCES, Order

MAX_KEY = 64


def request_digest(campaign_id, tier_id, quantity, ref, f_code, variant_id=None, texts=None):
    body = [campaign_id, tier_id, quantity, ref or None, (f_code or "").upper() or None]
    if variant_id is not None or texts:  # an order without them digests as it always did
        body.append([variant_id, texts or None])
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _check(buyer, tier_id, quantity, idempotency_key, source_kind):
    if buyer is None or not buyer.is_authenticated:
        raise Forbidden(_("Sign in to pre-order."), code="sign_in_required")
    if buyer.is_banned:
        raise Forbidden(_("Your account is banned and cannot pre-order."), code="banned")
    accounts.ensure_verified(buyer)
    # A key with a control character is refused, not cleaned: PostgreSQL refuses a NUL in
    # text (a 500), and "a\x00b" cleaned to "ab" would answer another request's order.
    if not idempotency_key or len(idempotency_key) > MAX_KEY \
            or single_line(idempotency_key) != idempotency_key:
        raise ValidationError(_("Send an idempotency key of 1 to 64 characters."),
                              field="idempotency_key", code="bad_idempotency_key")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValidationError(_("The quantity is a whole number of at least 1."), field="quantity",
                              code="bad_quantity")
    if not isinstance(tier_id, int) or isinstance(tier_id, bool):
        raise ValidationError(_("Pick a tier."), field="tier", code="bad_tier")
    if source_kind not in SOURCES:
        raise ValidationError(_("Unknown order source."), field="source")


# Statements on every pre-order are built once and run with parameters: building one
# (and its cache key) costs more Python than the database takes to run it.
_KEYED_ORDER = select(Order.id, Order.request_digest).where(
    Order.buyer_id == bindparam("buyer_id"), Order.idempotency_key == bindparam("key"))
# The campaign, its product (order_json shows it; loaded here, it needs no query of its
# own after the commit) and the tier as they are now, without their joins.
_CAMPAIGN_AND_TIER = (
    select(Campaign, Tier, Product).join(Product, Product.id == Campaign.product_id)
    .outerjoin(Tier, Tier.id == bindparam("tier_id")).where(Campaign.id == bindparam("campaign_id"))
    .options(lazyload("*")).execution_options(populate_existing=True))


def existing_order(buyer_id, idempotency_key, digest):
    # Usually there is none: look for the key alone (a plain row, compiled.py) before
    # loading an order with its joins.
    found = rows_of(_KEYED_ORDER, buyer_id=buyer_id, key=idempotency_key)
    if not found:
        return None
    order_id, request_digest = found[0]
    if request_digest != digest:
        raise ValidationError(_("This idempotency key was used for a different order."),
                              field="idempotency_key", code="idempotency_key_reused")
    return db.session.get(Order, order_id)


def place_order(campaign_id, buyer, tier_id, quantity, idempotency_key, referrer_id=None,
                f_code=None, source_kind="product", source_id=None, ref=None, variant_id=None,
                personalisation=None, ship_to=None, then=None):
    """Reserve units for a buyer. Returns (order, created); a repeated key returns the first order.
    `variant_id` and `personalisation` ({text option name or id: text}) as products/catalog/choosing.py says.
    `ship_to`: the order's copy of an address (its ship_* columns), written with the row.
    `then(order)` runs last in the same transaction (checkout opens the payment there): what
    it raises undoes the order. Neither applies to a repeated key's order."""
    _check(buyer, tier_id, quantity, idempotency_key, source_kind)
    variant_id, texts = choosing.check_input(variant_id, personalisation)
    digest = request_digest(campaign_id, tier_id, quantity, ref, f_code, variant_id, texts)
    if (order := existing_order(buyer.id, idempotency_key, digest)) is not None:
        return order, False
    try:
        # The buyer was checked above and the rows that can change are read or checked
        # again inside: nothing needs reloading under the write lock. A twin request
        # that committed meanwhile trips the order's unique key (below).
        with transaction(reload=False):
            order = _reserve(campaign_id, buyer, tier_id, quantity, idempotency_key, digest,
                             referrer_id, f_code, source_kind, source_id, (variant_id, texts),
                             ship_to, then)
    except IntegrityError:
        # A twin request committed first: answer with its order.
        db.session.rollback()
        if (order := existing_order(buyer.id, idempotency_key, digest)) is not None:
            return order, False
        raise
    return order, True


def _reserve(campaign_id, buyer, tier_id, quantity, key, digest, referrer_id, f_code,
             source_kind, source_id, wanted=(None, {}), ship_to=None, then=None):
    now = utcnow()
    campaign, tier, product = db.session.execute(_CAMPAIGN_AND_TIER, {
        "campaign_id": campaign_id, "tier_id": tier_id}).first() or (None, None, None)
    if campaign is None or (campaign.state == "draft" and not buyer.is_staff):
        # A draft is as missing to a buyer: no 409 or bad_tier that tells it exists.
        raise NotFound(_("No such campaign."))
    set_committed_value(campaign, "product", product)
    if tier is None or tier.campaign_id != campaign.id:
        raise ValidationError(_("That tier is not part of this campaign."), field="tier",
                              code="bad_tier")
    if campaign.effective_state(now) != "live":
        raise Conflict(_("This campaign is not taking pre-orders now."), code="campaign_not_live")
    if quantity > campaign.per_buyer_limit:
        raise Conflict(_("You can pre-order at most %(n)d units in this campaign.",
                         n=campaign.per_buyer_limit), code="limit_reached")
    if source_kind in cards.SOURCES:
        # Ordered from a card in a conversation or a circle: the place must be the buyer's
        # to see (else NotFound), and whoever shared the card there is the referrer.
        referrer_id = cards.sharer_for(source_kind, source_id, buyer,
                                       [("campaign", campaign.id), ("product", campaign.product_id)])
    choice = choosing.choose(campaign.product_id, *wanted)
    # The order row goes first: a twin request now waits on its unique key
    # instead of racing for stock it would not keep.
    order = _insert_order(campaign, tier, {
        "buyer_id": buyer.id, "quantity": quantity,
        "unit_price_cents": choice.unit_price(tier.price_cents),
        "currency": tier.currency, "idempotency_key": key, "request_digest": digest,
        "source_kind": source_kind, "source_id": source_id,
        "referrer_id": referrer_id if referrer_id != buyer.id else None, "created_at": now,
        "variant_id": choice.variant_id, "variant_label": choice.variant_label,
        "personalisation": choice.personalisation, **(ship_to or {}),
        **_payment_terms(campaign, now)})
    try:
        if tier.early_until is not None and now < tier.early_until:
            order.f_code_id = _early_access(campaign, buyer, f_code, now)
        _take_units(campaign, tier, buyer.id, quantity, choice.variant_id)
        signals.order_placed.send(order)
        if then is not None:
            then(order)
    except BaseException:
        # The rollback leaves an object the session never saw as new: it goes by hand.
        db.session.expunge(order)
        raise
    return order


def _payment_terms(campaign, now):
    """A campaign that charges holds the units until the buyer pays (PAYMENTS_HOLD_MINUTES)."""
    if campaign.charge_mode == "none":
        return {"payment_status": "none", "pay_by": None}
    return {"payment_status": "awaiting",
            "pay_by": now + timedelta(minutes=current_app.config["PAYMENTS_HOLD_MINUTES"])}


_ORDERS = Order.__table__
_INSERT_ORDER = _ORDERS.insert().returning(_ORDERS.c.id)
# Every other column, so the object has them all loaded: one left out would be read back
# with a query of its own the first time the answer shows it.
_UNSET = {"state": "reserved", "f_code_id": None, "confirmed_at": None, "cancelled_at": None,
          "cancel_reason": None, "paid_cents": 0, "refunded_cents": 0, "balance_due_by": None,
          "flag": None, "ship_name": None, "ship_phone": None, "ship_country": None,
          "ship_region": None, "ship_city": None, "ship_address": None, "ship_postal_code": None,
          "fulfilment_status": None, "in_production_at": None, "shipped_at": None,
          "delivered_at": None, "carrier": None, "tracking_number": None}


def _insert_order(campaign, tier, values):
    """The order row by a Core INSERT ... RETURNING, then the same row as a persistent
    object in the session: the ORM's flush of a new object costs several times the
    statement's Python, all of it under the write lock. The object gets the row as a
    load would (as_loaded), not through the constructor's forty attribute events."""
    values = {**_UNSET, **values, "campaign_id": campaign.id, "tier_id": tier.id}
    [(order_id,)] = write_rows(_INSERT_ORDER, **values)
    order = as_loaded(Order, **values, id=order_id)
    make_transient_to_detached(order)
    db.session.add(order)
    set_committed_value(order, "campaign", campaign)
    set_committed_value(order, "tier", tier)
    return order


def _early_access(campaign, buyer, f_code, now):
    """In a tier's early window: co-creators who qualify now (cocreation.py), or the
    owner of an unused F-code (issued only to those who qualified)."""
    if f_code:
        claimed = db.session.execute(
            update(FCode).where(FCode.code == f_code.strip().upper(), FCode.campaign_id == campaign.id,
                                FCode.user_id == buyer.id, FCode.used_at.is_(None))
            .values(used_at=now).returning(FCode.id)).first()
        if claimed is None:
            raise Conflict(_("This F-code is not yours, is used, or is for another campaign."),
                           code="invalid_f_code")
        return claimed.id
    if cocreation.qualifies(campaign.product_id, buyer):
        return None
    raise Conflict(_("This tier is open only to co-creators and F-code holders for now. "
                     "Co-creators are fans who voted for or discussed the product's ideas."),
                   code="early_access_only")


_BUYERS, _CAMPAIGNS, _TIERS = CampaignBuyer.__table__, Campaign.__table__, Tier.__table__
_VARIANTS = Variant.__table__


@cache
def _take_buyer_units(dialect):
    """The buyer's units, their row made on the first order: one upsert whose RETURNING
    row is missing when the per-buyer limit would be passed (the first order's quantity
    was checked against it before)."""
    insert = conflict_insert(_BUYERS, dialect).values(
        campaign_id=bindparam("campaign"), user_id=bindparam("buyer"), units=bindparam("quantity"))
    return insert.on_conflict_do_update(
        index_elements=[_BUYERS.c.campaign_id, _BUYERS.c.user_id],
        set_={"units": _BUYERS.c.units + insert.excluded.units},
        where=_BUYERS.c.units + insert.excluded.units <= bindparam("limit"),
    ).returning(_BUYERS.c.units)


_TAKE_CAMPAIGN_UNITS = (
    _CAMPAIGNS.update()
    .where(_CAMPAIGNS.c.id == bindparam("campaign_id"),
           _CAMPAIGNS.c.state.in_(("scheduled", "live")),
           _CAMPAIGNS.c.reserved_units + bindparam("quantity") <= _CAMPAIGNS.c.cap_units)
    .values(reserved_units=_CAMPAIGNS.c.reserved_units + bindparam("quantity"),
            backer_count=_CAMPAIGNS.c.backer_count + bindparam("new_backer"))
    .returning(_CAMPAIGNS.c.reserved_units, _CAMPAIGNS.c.backer_count))
_TAKE_TIER_UNITS = (
    _TIERS.update()
    .where(_TIERS.c.id == bindparam("tier_id"),
           _TIERS.c.limit_units.is_(None)
           | (_TIERS.c.reserved_units + bindparam("quantity") <= _TIERS.c.limit_units))
    .values(reserved_units=_TIERS.c.reserved_units + bindparam("quantity"))
    .returning(_TIERS.c.reserved_units))
_TAKE_VARIANT_UNITS = (
    _VARIANTS.update()
    .where(_VARIANTS.c.id == bindparam("variant_id"), _VARIANTS.c.active.is_(True),
           _VARIANTS.c.cap_units.is_(None)
           | (_VARIANTS.c.reserved_units + bindparam("quantity") <= _VARIANTS.c.cap_units))
    .values(reserved_units=_VARIANTS.c.reserved_units + bindparam("quantity"))
    .returning(_VARIANTS.c.reserved_units))


def _take_units(campaign, tier, buyer_id, quantity, variant_id=None):
    """The buyer's, the campaign's and the tier's units, each one conditional statement.

    The statements are built once (above) and run on the driver (compiled.write_rows):
    building one, or SQLAlchemy's execution of it, costs more Python than SQLite takes
    to run it, and all of it is under the write lock."""
    held = write_rows(_take_buyer_units(dialect_name()), campaign=campaign.id, buyer=buyer_id,
                      quantity=quantity, limit=campaign.per_buyer_limit)
    if not held:
        raise Conflict(_("You can pre-order at most %(n)d units in this campaign.",
                         n=campaign.per_buyer_limit), code="limit_reached")
    [(units,)] = held
    reserved = write_rows(_TAKE_CAMPAIGN_UNITS, campaign_id=campaign.id, quantity=quantity,
                          new_backer=1 if units == quantity else 0)
    if not reserved:
        raise Conflict(_("Sold out: not enough units left."), code="sold_out")
    tier_taken = write_rows(_TAKE_TIER_UNITS, tier_id=tier.id, quantity=quantity)
    if not tier_taken:
        raise Conflict(_("Sold out: this tier has no units left."), code="sold_out")
    variant_taken = variant_id is not None and write_rows(
        _TAKE_VARIANT_UNITS, variant_id=variant_id, quantity=quantity)
    if variant_taken == []:
        raise Conflict(_("Sold out: this variant has no units left."), code="sold_out")
    # What the ORM UPDATEs these replace showed on the loaded rows.
    sync_loaded(CampaignBuyer, (campaign.id, buyer_id), units=units)
    [(reserved_units, backer_count)] = reserved
    sync_loaded(Campaign, campaign.id, reserved_units=reserved_units, backer_count=backer_count)
    sync_loaded(Tier, tier.id, reserved_units=tier_taken[0][0])
    if variant_taken:
        sync_loaded(Variant, variant_id, reserved_units=variant_taken[0][0])


def cancel_order(order_id, buyer):
    """The buyer cancels while the campaign is live; units go back on sale, the F-code too,
    and what was paid is refunded by the campaign's terms (payments listen)."""
    with transaction():
        order = db.session.get(Order, order_id, populate_existing=True)
        if order is None or buyer is None or order.buyer_id != buyer.id:
            raise NotFound(_("No such pre-order."))
        if order.state != "reserved":
            raise Conflict(_("This pre-order can no longer be cancelled."), code="not_cancellable")
        campaign = db.session.get(Campaign, order.campaign_id, populate_existing=True)
        if campaign.effective_state() != "live":
            raise Conflict(_("The campaign has ended: pre-orders are final."), code="campaign_not_live")
        if not _cancel(order, (Order.state == "reserved",), "buyer"):
            raise Conflict(_("This pre-order can no longer be cancelled."), code="not_cancellable")
    db.session.refresh(order)
    return order


def cancel_unpaid(order_id, now=None, balance=False):
    """The hold ran out (or, with balance=True, the balance's deadline passed) and the
    order is still unpaid: cancel it and give its units back. False if it was paid meanwhile."""
    now = now or utcnow()
    if balance:
        unpaid = (Order.state == "reserved", Order.payment_status == "deposit_paid",
                  Order.balance_due_by <= now)
    else:
        unpaid = (Order.state == "reserved", Order.payment_status == "awaiting", Order.pay_by <= now)
    with transaction():
        order = db.session.get(Order, order_id, populate_existing=True)
        done = order is not None and _cancel(order, unpaid, "balance_unpaid" if balance else "unpaid")
    return done


def _cancel(order, conditions, reason):
    """Cancel `order` if `conditions` still hold (one conditional UPDATE decides), in the
    caller's transaction: units back to the campaign, tier and buyer, the F-code freed."""
    done = db.session.execute(
        update(Order).where(Order.id == order.id, *conditions)
        .values(state="cancelled", cancelled_at=utcnow(), cancel_reason=reason,
                payment_status=NOTHING_OWED).returning(Order.id)
    ).first()
    if done is None:
        return False
    left = db.session.execute(
        update(CampaignBuyer).where(CampaignBuyer.campaign_id == order.campaign_id,
                                    CampaignBuyer.user_id == order.buyer_id)
        .values(units=CampaignBuyer.units - order.quantity).returning(CampaignBuyer.units)
    ).scalar_one()
    db.session.execute(update(Campaign).where(Campaign.id == order.campaign_id).values(
        reserved_units=Campaign.reserved_units - order.quantity,
        backer_count=Campaign.backer_count - (1 if left == 0 else 0)))
    db.session.execute(update(Tier).where(Tier.id == order.tier_id)
                       .values(reserved_units=Tier.reserved_units - order.quantity))
    if order.variant_id is not None:
        db.session.execute(update(Variant).where(Variant.id == order.variant_id)
                           .values(reserved_units=Variant.reserved_units - order.quantity))
    if order.f_code_id is not None:
        db.session.execute(update(FCode).where(FCode.id == order.f_code_id).values(used_at=None))
    db.session.refresh(order)
    signals.order_cancelled.send(order)
    return True


def get_order(order_id, viewer):
    """A buyer sees their own pre-orders only; anyone else gets a 404."""
    order = db.session.get(Order, order_id)
    if order is None or viewer is None or not viewer.is_authenticated or (
            order.buyer_id != viewer.id and not viewer.is_staff):
        raise NotFound(_("No such pre-order."))
    return order


def orders_of(user, page=1, per_page=20):
    rows = db.session.scalars(select(Order).where(Order.buyer_id == user.id)
                              .order_by(Order.id.desc()).limit(per_page + 1)
                              .offset((page - 1) * per_page)).all()
    return rows[:per_page], len(rows) > per_page


def campaign_orders(campaign_id, *where, batch=1000):
    """Every order of a campaign (those matching `where`, if given), streamed in id order in
    batches (for CSV exports)."""
    last = 0
    while True:
        rows = db.session.scalars(select(Order).where(Order.campaign_id == campaign_id,
                                                      Order.id > last, *where)
                                  .order_by(Order.id).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
