"""Paying for an order: what is due now, and a payment at the provider to pay it.

What is due comes from the campaign's terms (orders/dues.py); a placed order holds its
units until `pay_by`, and the reservation sweep (reservations.py) gives back what is unpaid.

Starting a payment is three steps so no provider call runs inside a database write:
the payment row (its id is the idempotency key the provider gets), the provider's
create, then the provider's reference on the row. A crash between them leaves a row
without a reference, and the next try asks the provider again with the same key, which
answers with the same payment. The dummy gateway keeps its books in this database
(Provider.books_here): its create is the second transaction's first statements, so a
payment costs the database two write transactions with it as with a real gateway.

A checkout (`place_and_start`) is the same three steps with the pre-order's placing in
the first: the order row with its copy of the address and the payment row are one
transaction, so the buyer pays with one request, not two.
"""

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm.attributes import set_committed_value

from community.kernel.compiled import write_rows
from community.kernel.database import as_loaded, transaction, utcnow
from community.kernel.errors import Conflict, NotFound, ValidationError
from community.kernel.extensions import db

from ..addresses import service as addresses
from ..orders import service as orders
from ..orders.dues import due_now
from ..orders.models import Order
from . import ledger, providers
from .models import Payment
from .providers.base import PaymentRequest, ProviderError

# Payments still waiting for the buyer: paying again goes on with the same one.
OPEN = ("created", "action", "failed")


def order_of(order_id):
    return db.session.get(Order, order_id)


def _own_order(order_id, buyer):
    order = db.session.get(Order, order_id, populate_existing=True)
    if order is None or buyer is None or not buyer.is_authenticated or order.buyer_id != buyer.id:
        raise NotFound(_("No such pre-order."))
    return order


def _check_currency(provider, currency):
    if provider.currencies is not None and currency not in provider.currencies:
        raise ValidationError(_("This payment method does not take %(currency)s.",
                                currency=currency), code="currency_not_supported")


def start(order_id, buyer, return_url, address_id=None):
    """The payment the buyer pays the order's due amount with (an open one, or a new one);
    the provider sends the buyer back to `return_url` (the order's page) afterwards. The
    order keeps a copy of the address `address_id` (one is needed before the first payment)."""
    order = _own_order(order_id, buyer)
    due = due_now(order)
    if due is None:
        raise Conflict(_("Nothing is due on this pre-order now."), code="nothing_due")
    purpose, amount = due
    provider = providers.current()
    _check_currency(provider, order.currency)
    with transaction():
        if address_id is not None:
            addresses.copy_to_order(order, buyer, address_id)
        elif order.ship_name is None and purpose != "balance":
            raise ValidationError(_("Choose where to ship it."), field="address_id",
                                  code="address_required")
        payment = db.session.scalars(select(Payment).where(
            Payment.order_id == order.id, Payment.purpose == purpose,
            Payment.provider == provider.name, Payment.amount_cents == amount,
            Payment.status.in_(OPEN)).order_by(Payment.id.desc()).limit(1)).first()
        if payment is None:
            payment = Payment(order_id=order.id, provider=provider.name, purpose=purpose,
                              amount_cents=amount, currency=order.currency,
                              capture=order.campaign.charge_mode != "authorise",
                              created_at=utcnow(), updated_at=utcnow())
            db.session.add(payment)
    if payment.ref is None:
        _create_at_provider(provider, payment, order, return_url)
    return payment


def place_and_start(campaign_id, buyer, tier_id, quantity, key, address_id, return_url_for,
                    **order_args):
    """Place a pre-order (orders.place_order's arguments) shipping to the buyer's address
    `address_id`, and start paying what is due on it: (order, created, payment or None).
    The order, its copy of the address and the payment row are one transaction; the
    provider is asked after it, to send the buyer back to `return_url_for(order id)`. A
    repeated key answers its first order, and starts paying it as start() would."""
    ship_to = addresses.shipping_copy(address_id, buyer)
    provider = providers.current()
    opened = []

    def open_payment(order):
        opened.append(_open_payment(provider, order, utcnow()))

    order, created = orders.place_order(campaign_id, buyer, tier_id, quantity, key,
                                        ship_to=ship_to, then=open_payment,
                                        **order_args)
    if not created:
        started = (start(order.id, buyer, return_url_for(order.id), address_id)
                   if due_now(order) is not None else None)
        return order, False, started
    payment = opened[0] if opened else None
    if payment is not None:
        _create_at_provider(provider, payment, order, return_url_for(order.id))
    return order, True, payment


_PAYMENTS = Payment.__table__
_INSERT_PAYMENT = _PAYMENTS.insert().returning(_PAYMENTS.c.id)
_SET_REF = (_PAYMENTS.update().where(_PAYMENTS.c.id == bindparam("payment_id"))
            .values(ref=bindparam("ref"), checkout_url=bindparam("checkout_url"),
                    client_secret=bindparam("client_secret")))


def _open_payment(provider, order, now):
    """The payment row for what is due on a just placed `order` (None when nothing is), in
    the placing transaction: a Core INSERT, answered as a Payment the session does not hold
    (nothing reads it back)."""
    due = due_now(order, now)
    if due is None:
        return None
    _check_currency(provider, order.currency)
    purpose, amount = due
    values = {"order_id": order.id, "provider": provider.name, "ref": None, "purpose": purpose,
              "amount_cents": amount, "currency": order.currency,
              "capture": order.campaign.charge_mode != "authorise", "status": "created",
              "authorised_cents": 0, "captured_cents": 0, "refunded_cents": 0,
              "checkout_url": None, "client_secret": None, "flag": None,
              "created_at": now, "updated_at": now}
    [(payment_id,)] = write_rows(_INSERT_PAYMENT, **values)
    return as_loaded(Payment, **values, id=payment_id)


def _create_at_provider(provider, payment, order, return_url):
    product = order.campaign.product
    request = PaymentRequest(
        payment_id=payment.id, order_id=order.id, amount_cents=payment.amount_cents,
        currency=payment.currency, capture=payment.capture,
        description=f"{product.name} × {order.quantity} (#{order.id})",
        return_url=return_url, idempotency_key=f"fanforge-payment-{payment.id}")
    # Nothing read before needs reading again (reload=False): one UPDATE by the row's id.
    if provider.books_here:  # statements on this database: the same transaction
        with transaction(reload=False):
            created = _asked(provider.create_here, request)
            _store_ref(provider, payment.id, created)
    else:  # a network call: never inside a write
        created = _asked(provider.create, request)
        with transaction(reload=False):
            _store_ref(provider, payment.id, created)
    for name in ("ref", "checkout_url", "client_secret"):  # as written, not to write again
        set_committed_value(payment, name, getattr(created, name))
    return payment


def _asked(create, request):
    try:
        return create(request)
    except ProviderError as error:
        raise Conflict(_("The payment provider could not be reached; try again in a moment."),
                       code="provider_unavailable") from error


def _store_ref(provider, payment_id, created):
    write_rows(_SET_REF, payment_id=payment_id, ref=created.ref,
               checkout_url=created.checkout_url, client_secret=created.client_secret)
    if created.events:
        ledger.record(provider.name, created.events, "reply")
