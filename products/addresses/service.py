"""The address book: each buyer's own, private addresses, and the copy an order keeps.

Access: an address is its owner's alone. Anyone else, staff included, is told it does
not exist (NotFound): staff see where an order goes through the order's copy
(orders.ship_*), which `copy_to_order` writes and later edits of the book never touch.
"""

import re
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update

from community.accounts.models import User
from community.kernel.compiled import rows_of
from community.kernel.database import transaction, utcnow
from community.kernel.errors import Conflict, NotFound, ValidationError
from community.kernel.extensions import db

from ..orders.models import Order
from .countries import CODES
from .models import (
    CITY_MAX,
    NAME_MAX,
    POSTAL_MAX,
    REGION_MAX,
    STREET_MAX,
    Address,
    format_lines,
)

MAX_ADDRESSES = 20
FIELDS = ("recipient", "phone", "country", "region", "city", "district", "street", "street2",
          "postal_code")
_SEPARATORS = re.compile(r"[\s\-().]")
CN_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
INTERNATIONAL_PHONE = re.compile(r"\+?[1-9]\d{5,14}")
CN_POSTAL = re.compile(r"\d{6}")
OTHER_POSTAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]*")


def _text(data, name, limit, required=True):
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if not value:
        if required:
            raise ValidationError(_("This field is required."), field=name, code="required")
        return None
    if len(value) > limit:
        raise ValidationError(_("Use at most %(n)d characters.", n=limit), field=name,
                              code="too_long")
    return value


def clean(data):
    """The address fields of `data` (a mapping), checked and normalised: a dict of FIELDS,
    or a ValidationError naming the first field at fault."""
    country = (_text(data, "country", 2, required=False) or "CN").upper()
    if country not in CODES:
        raise ValidationError(_("Pick a country from the list."), field="country",
                              code="bad_country")
    out = {"country": country, "recipient": _text(data, "recipient", NAME_MAX)}
    phone = _SEPARATORS.sub("", _text(data, "phone", 32))
    if country == "CN":
        found = CN_MOBILE.fullmatch(phone)
        if found is None:
            raise ValidationError(_("Enter a Chinese mobile number: 11 digits starting with 1, "
                                    "e.g. 13812345678 (+86 optional)."),
                                  field="phone", code="bad_phone")
        phone = found.group(1)
    elif INTERNATIONAL_PHONE.fullmatch(phone) is None:
        raise ValidationError(_("Enter the phone number with its country code, e.g. "
                                "+44 20 7946 0958 (6 to 15 digits)."),
                              field="phone", code="bad_phone")
    out["phone"] = phone
    out["region"] = _text(data, "region", REGION_MAX)
    out["city"] = _text(data, "city", CITY_MAX)
    out["district"] = _text(data, "district", CITY_MAX, required=False)
    out["street"] = _text(data, "street", STREET_MAX)
    out["street2"] = _text(data, "street2", STREET_MAX, required=False)
    postal = _text(data, "postal_code", POSTAL_MAX, required=False)
    if postal is not None:
        if country == "CN" and CN_POSTAL.fullmatch(postal) is None:
            raise ValidationError(_("A Chinese postal code is 6 digits, e.g. 100080."),
                                  field="postal_code", code="bad_postal_code")
        if country != "CN" and OTHER_POSTAL.fullmatch(postal) is None:
            raise ValidationError(_("Use letters, digits, spaces and hyphens in the postal "
                                    "code."), field="postal_code", code="bad_postal_code")
        postal = postal.upper()
    out["postal_code"] = postal
    return out


def addresses_of(user):
    """The owner's addresses, the default first, then newest first."""
    return db.session.scalars(select(Address).where(Address.user_id == user.id)
                              .order_by(Address.is_default.desc(), Address.id.desc())).all()


def get_address(address_id, owner):
    address = db.session.get(Address, address_id) if isinstance(address_id, int) else None
    if address is None or owner is None or not owner.is_authenticated \
            or address.user_id != owner.id:
        raise NotFound(_("No such address."))
    return address


def _lock_owner(owner):
    """Take the owner's row for the rest of the transaction, first, so two requests
    changing one book take turns (SQLite's BEGIN IMMEDIATE already does) and never wait
    on each other in a circle."""
    db.session.execute(select(User.id).where(User.id == owner.id).with_for_update())


def _make_only_default(owner_id, address_id):
    # Two statements: the unique index on one default per owner is checked row by row.
    db.session.execute(update(Address).where(Address.user_id == owner_id,
                                             Address.id != address_id, Address.is_default)
                       .values(is_default=False), execution_options={"synchronize_session": False})
    db.session.execute(update(Address).where(Address.id == address_id)
                       .values(is_default=True), execution_options={"synchronize_session": False})


def add_address(owner, data, make_default=False):
    values = clean(data)
    with transaction():
        _lock_owner(owner)
        count = db.session.scalar(select(func.count()).select_from(Address)
                                  .where(Address.user_id == owner.id))
        if count >= MAX_ADDRESSES:
            raise Conflict(_("Your address book is full (%(n)d addresses): delete one first.",
                             n=MAX_ADDRESSES), code="address_book_full")
        address = Address(user_id=owner.id, **values)
        db.session.add(address)
        db.session.flush()
        if make_default or count == 0:
            _make_only_default(owner.id, address.id)
    db.session.refresh(address)
    return address


def update_address(address_id, owner, data, make_default=False):
    """Change some fields (the others stay as they are): the whole address is checked again."""
    with transaction():
        _lock_owner(owner)
        address = get_address(address_id, owner)
        merged = {name: getattr(address, name) for name in FIELDS}
        merged.update({k: v for k, v in data.items() if k in FIELDS})
        for name, value in clean(merged).items():
            setattr(address, name, value)
        address.updated_at = utcnow()
        db.session.flush()
        if make_default:
            _make_only_default(owner.id, address.id)
    db.session.refresh(address)
    return address


def set_default(address_id, owner):
    with transaction():
        _lock_owner(owner)
        address = get_address(address_id, owner)
        _make_only_default(owner.id, address.id)
    db.session.refresh(address)
    return address


def delete_address(address_id, owner):
    """Delete an address; if it was the default, the newest other one becomes the default.
    Orders keep their copies."""
    with transaction():
        _lock_owner(owner)
        address = get_address(address_id, owner)
        was_default = address.is_default
        db.session.delete(address)
        db.session.flush()
        if was_default:
            newest = db.session.scalar(select(Address.id).where(Address.user_id == owner.id)
                                       .order_by(Address.id.desc()).limit(1))
            if newest is not None:
                _make_only_default(owner.id, newest)


def default_address(owner):
    return db.session.scalar(select(Address).where(Address.user_id == owner.id,
                                                   Address.is_default))


class _Copied(NamedTuple):
    """What an order copies of an address."""
    recipient: str
    phone: str
    country: str
    region: str
    city: str
    district: str | None
    street: str
    street2: str | None
    postal_code: str | None


# Prebuilt and run as the driver's own SQL: a checkout naming an address reads it each time.
_COPIED = select(*(Address.__table__.c[name] for name in _Copied._fields)).where(
    Address.id == bindparam("address_id"), Address.user_id == bindparam("owner_id"))


def shipping_copy(address_id, owner):
    """ship_to() of `owner`'s address `address_id`, read as a plain row; NotFound for
    anyone else's, as get_address."""
    rows = rows_of(_COPIED, address_id=address_id, owner_id=owner.id) \
        if isinstance(address_id, int) and owner is not None and owner.is_authenticated else ()
    if not rows:
        raise NotFound(_("No such address."))
    return ship_to(_Copied(*rows[0]))


def ship_to(address):
    """An address as an order keeps its copy: the order's ship_* columns."""
    street = "\n".join(p for p in (address.district, address.street, address.street2) if p)
    return {"ship_name": address.recipient, "ship_phone": address.phone,
            "ship_country": address.country, "ship_region": address.region,
            "ship_city": address.city, "ship_address": street,
            "ship_postal_code": address.postal_code}


def copy_to_order(order, buyer, address_id):
    """Copy the buyer's address `address_id` onto `order`, in the caller's transaction.

    A copy: later edits to the book never change the order. NotFound for an address or an
    order that is not the buyer's; Conflict once the order is shipped or cancelled."""
    address = get_address(address_id, buyer)
    if order.buyer_id != buyer.id:
        raise NotFound(_("No such pre-order."))
    copied = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.buyer_id == buyer.id, Order.state != "cancelled",
               Order.fulfilment_status.is_(None) | (Order.fulfilment_status == "in_production"))
        .values(**ship_to(address))
        .returning(Order.id)).first()
    if copied is None:
        raise Conflict(_("This pre-order has shipped or was cancelled: its address can no "
                         "longer change."), code="address_locked")
    return order


def order_address_lines(order):
    """The order's copy as parcel lines (empty when none was chosen)."""
    if order.ship_name is None:
        return []
    streets = [p for p in (order.ship_address or "").split("\n") if p]
    return format_lines(order.ship_country, order.ship_region, order.ship_city, streets,
                        order.ship_postal_code)
